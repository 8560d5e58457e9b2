// The ROS 2 packaging agrees with itself and with the code: package.xml, CMakeLists.txt, msg/, srv/,
// launch/, scripts/ and the Dockerfile name the same files, packages and dependencies. (The .msg
// syntax itself is checked by ROS's own parser: scripts/check_interfaces.py, run by .ci/run.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { definitionDependencies } from '../../src/bag/definitions.js';
import { packageRoot } from '../../src/core/package-root.js';
import { PACKAGE_NAME } from '../../src/ros/message-types.js';

const root = packageRoot();
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
const listing = (dir: string, ext: string) =>
  existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith(ext)).map((f) => `${dir}/${f}`).sort() : [];

/** Text of every `<tag>` element of package.xml (comments removed; the format has no nesting of these). */
function xmlTags(xml: string, tag: string): string[] {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '');
  return [...body.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`, 'g'))].map((m) => m[1].trim());
}

/** CMake command arguments, e.g. the body of `rosidl_generate_interfaces(...)` (comments removed). */
function cmakeCall(cmake: string, command: string): string[] {
  const body = cmake.replace(/#[^\n]*/g, '');
  const m = new RegExp(`${command}\\(([^)]*)\\)`).exec(body);
  assert.ok(m, `CMakeLists.txt calls ${command}`);
  return m[1].split(/\s+/).filter(Boolean).map((a) => a.replace(/^"|"$/g, ''));
}

/** Packages (other than ours) whose types the interface files use. */
function interfaceDependencies(): string[] {
  const pkgs = new Set<string>();
  for (const file of [...listing('msg', '.msg'), ...listing('srv', '.srv')]) {
    for (const part of read(file).split(/^---$/m)) {
      for (const dep of definitionDependencies(part, PACKAGE_NAME)) pkgs.add(dep.split('/')[0]);
    }
  }
  pkgs.delete(PACKAGE_NAME);
  return [...pkgs].sort();
}

describe('ROS 2 packaging', () => {
  const xml = read('package.xml');
  const cmake = read('CMakeLists.txt');
  const buildDeps = new Set([...xmlTags(xml, 'depend'), ...xmlTags(xml, 'build_depend')]);
  const execDeps = new Set([...xmlTags(xml, 'depend'), ...xmlTags(xml, 'exec_depend')]);

  it('package.xml is a format 3 interface package named and versioned like package.json', () => {
    const pkgJson = JSON.parse(read('package.json')) as { name: string; version: string };
    assert.match(xml, /<package format="3">/);
    assert.deepEqual(xmlTags(xml, 'name'), [PACKAGE_NAME]);
    assert.equal(PACKAGE_NAME, pkgJson.name);
    assert.deepEqual(xmlTags(xml, 'version'), [pkgJson.version]);
    assert.deepEqual(xmlTags(xml, 'buildtool_depend').sort(), ['ament_cmake', 'rosidl_default_generators']);
    assert.deepEqual(xmlTags(xml, 'member_of_group'), ['rosidl_interface_packages']);
    assert.deepEqual(xmlTags(xml, 'build_type'), ['ament_cmake']);
    assert.ok(execDeps.has('rosidl_default_runtime') && execDeps.has('nodejs'));
    assert.deepEqual(cmakeCall(cmake, 'project'), [PACKAGE_NAME]);
  });

  it('the interface files use only packages package.xml and CMakeLists.txt depend on', () => {
    const used = interfaceDependencies();
    assert.deepEqual(used, ['builtin_interfaces', 'geometry_msgs', 'std_msgs']);
    const dependencies = cmakeCall(cmake, 'rosidl_generate_interfaces');
    const cmakeDeps = dependencies.slice(dependencies.indexOf('DEPENDENCIES') + 1);
    const found = [...cmake.matchAll(/find_package\((\w+) REQUIRED\)/g)].map((m) => m[1]);
    for (const pkg of used) {
      assert.ok(buildDeps.has(pkg), `package.xml: ${pkg} needs <depend> or <build_depend>`);
      assert.ok(execDeps.has(pkg), `package.xml: ${pkg} needs <depend> or <exec_depend>`);
      assert.ok(cmakeDeps.includes(pkg), `CMakeLists.txt: ${pkg} in rosidl_generate_interfaces DEPENDENCIES`);
      assert.ok(found.includes(pkg), `CMakeLists.txt: find_package(${pkg} REQUIRED)`);
    }
  });

  it('every ROS type the node code names is from a package package.xml depends on at run time', () => {
    const typeName = /'([a-z][a-z0-9_]*)\/(?:msg|srv|action)\/[A-Z]\w*'/g;
    const named = new Map<string, string>();
    for (const file of readdirSync(join(root, 'src/ros')).filter((f) => f.endsWith('.ts'))) {
      for (const m of read(`src/ros/${file}`).matchAll(typeName)) named.set(m[1], file);
    }
    assert.ok(named.has(PACKAGE_NAME), 'src/ros names seqvpr types');
    for (const [pkg, file] of named) {
      if (pkg !== PACKAGE_NAME) assert.ok(execDeps.has(pkg), `src/ros/${file} uses ${pkg}: add <exec_depend>${pkg}</exec_depend> to package.xml`);
    }
  });

  it('CMakeLists.txt generates exactly the files in msg/ and srv/', () => {
    const args = cmakeCall(cmake, 'rosidl_generate_interfaces');
    const files = args.filter((a) => /\.(msg|srv|action)$/.test(a)).sort();
    assert.deepEqual(files, [...listing('msg', '.msg'), ...listing('srv', '.srv')].sort());
    assert.ok(files.includes('srv/LoadMap.srv'));
  });

  it('installs what the node needs to run from share/seqvpr, and the seqvpr_node wrapper', () => {
    const installed = [...cmake.replace(/#[^\n]*/g, '').matchAll(/install\(DIRECTORY ([^)]*?) DESTINATION/g)].flatMap((m) => m[1].split(/\s+/));
    // package.json marks the package root the JS code resolves config/, models/ and msg/ from.
    assert.match(cmake, /install\(FILES package\.json DESTINATION share\/\$\{PROJECT_NAME\}\)/);
    for (const dir of ['dist', 'config', 'models', 'launch']) assert.ok(installed.includes(dir), `CMakeLists.txt installs ${dir}/`);
    assert.match(cmake, /include\(cmake\/install_node_modules\.cmake\)\s*\nseqvpr_install_node_modules\("\$\{CMAKE_CURRENT_SOURCE_DIR\}\/node_modules" "share\/\$\{PROJECT_NAME\}"\)/);
    assert.match(cmake, /install\(PROGRAMS scripts\/seqvpr_node DESTINATION lib\/\$\{PROJECT_NAME\}\)/);
    accessSync(join(root, 'scripts/seqvpr_node'), constants.X_OK);
    const wrapper = read('scripts/seqvpr_node');
    assert.match(wrapper, /share="\$here\/\.\.\/\.\.\/share\/seqvpr"\n.*entry="\$share\/dist\/src\/ros\/main\.js"/);
    assert.ok(existsSync(join(root, 'src/ros/main.ts')), 'the wrapper runs the compiled src/ros/main.ts');
  });

  it('links node_modules into the install space by default, copies it with SEQVPR_COPY_NODE_MODULES=ON, and stops without rclnodejs (cmake)', async function () {
    if (spawnSync('cmake', ['--version']).status !== 0) {
      this.test!.title += ' (skipped: cmake is not installed)';
      this.skip();
    }
    this.timeout(60_000);
    const dir = await mkdtemp(join(tmpdir(), 'seqvpr-cmake-'));
    try {
      // A project that installs node_modules exactly as CMakeLists.txt does.
      await mkdir(join(dir, 'src/node_modules/dep'), { recursive: true });
      await writeFile(join(dir, 'src/node_modules/dep/index.js'), 'x\n');
      await writeFile(
        join(dir, 'src/CMakeLists.txt'),
        `cmake_minimum_required(VERSION 3.8)\nproject(t NONE)\ninclude(${join(root, 'cmake/install_node_modules.cmake')})\n` +
          'seqvpr_install_node_modules("${CMAKE_CURRENT_SOURCE_DIR}/node_modules" "share/t")\n',
      );
      const install = (build: string, ...defs: string[]) => {
        for (const args of [['-S', join(dir, 'src'), '-B', join(dir, build), `-DCMAKE_INSTALL_PREFIX=${join(dir, `${build}-install`)}`, ...defs], ['--install', join(dir, build)]]) {
          const r = spawnSync('cmake', args, { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
        }
        return join(dir, `${build}-install/share/t/node_modules`);
      };
      // npm ci leaves the optional rclnodejs out when its native build fails (seen with rcl 9.2.0):
      // the build stops and says so rather than installing a node that cannot start.
      const missing = spawnSync('cmake', ['-S', join(dir, 'src'), '-B', join(dir, 'missing')], { encoding: 'utf8' });
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr.replace(/\s+/g, ' '), /rclnodejs is missing: npm ci leaves the optional rclnodejs out when its native build fails/);
      await mkdir(join(dir, 'src/node_modules/rclnodejs'), { recursive: true });
      await writeFile(join(dir, 'src/node_modules/rclnodejs/package.json'), '{}\n');
      const linked = install('linked');
      assert.ok(lstatSync(linked).isSymbolicLink(), 'a link, not a copy');
      assert.equal(readlinkSync(linked), join(dir, 'src/node_modules'));
      const copied = install('copied', '-DSEQVPR_COPY_NODE_MODULES=ON');
      assert.ok(!lstatSync(copied).isSymbolicLink() && existsSync(join(copied, 'dep/index.js')), 'a real copy');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the launch files start the installed executable with the installed params file, with the same arguments', () => {
    const py = read('launch/seqvpr.launch.py');
    const xmlLaunch = read('launch/seqvpr.launch.xml');
    assert.match(py, /executable='seqvpr_node'/);
    assert.match(py, /package='seqvpr'/);
    assert.match(py, /FindPackageShare\('seqvpr'\), 'config', 'seqvpr\.params\.yaml'/);
    assert.match(xmlLaunch, /\$\(find-pkg-share seqvpr\)\/config\/seqvpr\.params\.yaml/);
    assert.match(xmlLaunch, /\$\(find-pkg-share seqvpr\)\/launch\/seqvpr\.launch\.py/);
    // Python: ('name', default, description) rows; XML: <arg name="..." default="..."/> and the include's pass-through.
    const pyArgs = new Map([...py.matchAll(/^ {4}\('(\w+)', (?:'([^']*)'|PathJoinSubstitution)/gm)].map((m) => [m[1], m[2] ?? 'params']));
    const xmlArgs = new Map([...xmlLaunch.matchAll(/<arg name="(\w+)" default="([^"]*)"/g)].map((m) => [m[1], m[1] === 'params_file' ? 'params' : m[2]]));
    const passed = [...xmlLaunch.matchAll(/<arg name="(\w+)" value="\$\(var (\w+)\)"\/>/g)].map((m) => [m[1], m[2]]);
    for (const arg of ['params_file', 'mode', 'map_path', 'image_topic', 'namespace']) assert.ok(pyArgs.has(arg), `seqvpr.launch.py declares ${arg}`);
    assert.deepEqual(xmlArgs, pyArgs, 'both launch files declare the same arguments with the same defaults');
    assert.deepEqual(passed, [...pyArgs.keys()].map((a) => [a, a]), 'the XML front end passes every argument on');
  });

  it('the default params file exists and is keyed by the launched node name', () => {
    const params = parseYaml(read('config/seqvpr.params.yaml')) as Record<string, { ros__parameters?: unknown }>;
    const nodeName = /\('node_name', '([^']+)'/.exec(read('launch/seqvpr.launch.py'))?.[1];
    const keys = Object.keys(params);
    assert.ok(keys.some((k) => k === '/**' || k.replace(/^\//, '') === nodeName), `keys ${keys.join(', ')} include ${nodeName} or /**`);
    for (const k of keys) assert.ok(params[k].ros__parameters, `${k} holds ros__parameters`);
  });

  it('seqvpr_node runs the installed JS entry with node, passing ROS arguments through', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seqvpr-install-'));
    try {
      // The install space layout CMakeLists.txt produces: lib/seqvpr/seqvpr_node, share/seqvpr/dist/...
      await mkdir(join(dir, 'lib/seqvpr'), { recursive: true });
      await copyFile(join(root, 'scripts/seqvpr_node'), join(dir, 'lib/seqvpr/seqvpr_node'));
      await chmod(join(dir, 'lib/seqvpr/seqvpr_node'), 0o755);
      const wrapper = join(dir, 'lib/seqvpr/seqvpr_node');
      const missing = spawnSync(wrapper, [], { encoding: 'utf8' });
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /share\/seqvpr\/dist\/src\/ros\/main\.js is missing/);
      await mkdir(join(dir, 'share/seqvpr/dist/src/ros'), { recursive: true });
      await writeFile(join(dir, 'share/seqvpr/dist/src/ros/main.js'), 'console.log(JSON.stringify(process.argv.slice(2)));\n');
      const ran = spawnSync(wrapper, ['--ros-args', '-r', '__node:=vpr', '--params-file', '/tmp/a b.yaml'], { encoding: 'utf8' });
      assert.equal(ran.status, 0, ran.stderr);
      assert.deepEqual(JSON.parse(ran.stdout), ['--ros-args', '-r', '__node:=vpr', '--params-file', '/tmp/a b.yaml']);
      // The version check runs first: a failing one stops the wrapper with its one line.
      await writeFile(join(dir, 'share/seqvpr/dist/src/ros/node-version.js'), 'console.error("seqvpr_node needs Node.js 20.20.2 or newer"); process.exit(1);\n');
      const old = spawnSync(wrapper, ['--ros-args'], { encoding: 'utf8' });
      assert.equal(old.status, 1);
      assert.equal(old.stdout, '', 'the node did not start');
      assert.equal(old.stderr.trim().split('\n').length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('GPU providers: .npmrc skips onnxruntime-node’s download; ONNXRUNTIME_NODE_INSTALL=true at install time takes it (dry run)', function () {
    // npm hands .npmrc's keys to install scripts as npm_config_*; onnxruntime-node's script/install.js
    // reads ONNXRUNTIME_NODE_INSTALL before npm_config_onnxruntime_node_install (install-utils.js parseInstallFlag).
    assert.match(read('.npmrc'), /^onnxruntime-node-install=skip$/m);
    let script: string;
    try {
      script = createRequire(import.meta.url).resolve('onnxruntime-node/script/install.js');
    } catch {
      this.test!.title += ' (skipped: onnxruntime-node has no install script here)';
      return this.skip();
    }
    const dryRun = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--require', join(root, 'test/support/ort-install-dry-run.cjs'), script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', npm_config_onnxruntime_node_install: 'skip', ...env },
      });
    const ci = dryRun({});
    assert.equal(ci.status, 0, ci.stderr);
    assert.doesNotMatch(ci.stdout, /would install/, 'CI: nothing downloaded');
    const gpu = dryRun({ ONNXRUNTIME_NODE_INSTALL: 'true' });
    assert.equal(gpu.status, 0, gpu.stderr);
    if (process.platform === 'linux' && process.arch === 'x64') {
      assert.match(gpu.stdout, /would install: .*libonnxruntime_providers_cuda\.so.*libonnxruntime_providers_tensorrt\.so/);
    }
  });

  it('the Dockerfile copies files that exist and launches the package the way it is installed', () => {
    const docker = read('Dockerfile');
    const copied = [...docker.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    assert.ok(copied.length > 0);
    for (const path of copied) assert.ok(existsSync(join(root, path)), `Dockerfile copies ${path}, which does not exist`);
    for (const dir of ['msg', 'srv', 'launch', 'config', 'scripts', 'src', 'bin']) assert.ok(copied.includes(dir), `Dockerfile copies ${dir}/`);
    for (const file of ['package.xml', 'CMakeLists.txt', '.npmrc', 'package-lock.json']) assert.ok(copied.includes(file), `Dockerfile copies ${file}`);
    assert.match(docker, /FROM ros:jazzy-ros-base/);
    assert.match(docker, /src\/seqvpr/);
    assert.match(docker, /ros2", "launch", "seqvpr", "seqvpr\.launch\.py"/);
    assert.match(docker, /generate-ros-messages/);
    // A stand-alone install space: only run-time packages, copied (not linked to the deleted sources).
    assert.match(docker, /npm prune --omit=dev/);
    assert.match(docker, /-DSEQVPR_COPY_NODE_MODULES=ON/);
    assert.ok(copied.includes('cmake'), 'Dockerfile copies cmake/');
    // GPU execution providers: an install-time override of .npmrc's skip, as a build argument.
    assert.match(docker, /^ARG ONNXRUNTIME_NODE_INSTALL=skip$/m);
    assert.match(docker, /--build-arg ONNXRUNTIME_NODE_INSTALL=true/);
    assert.match(docker, /ONNXRUNTIME_NODE_INSTALL="\$ONNXRUNTIME_NODE_INSTALL" npm ci/);
  });
});
