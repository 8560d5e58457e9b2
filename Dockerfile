# seqvpr command-line image (evaluation and map building on CPU). The ROS 2 (Jazzy) vehicle image
# with colcon and rclnodejs message generation comes with the ROS 2 node work.
FROM node:20-bookworm
WORKDIR /opt/seqvpr
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY config ./config
COPY models/README.md ./models/README.md
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENTRYPOINT ["node", "bin/seqvpr.js"]
CMD ["--help"]
