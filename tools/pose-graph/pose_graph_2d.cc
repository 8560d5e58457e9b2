// seqvpr-pose-graph: optimises a planar (SE(2)) pose graph with Ceres and writes the poses.
//
// Input (text, one record per line, '#' starts a comment):
//   POSE  id x y yaw                       initial guess (metres, radians)
//   FIX   id                               hold this pose fixed (default: the first POSE)
//   EDGE  kind from to dx dy dyaw  cxx cxy cxyaw cyy cyyaw cyawyaw
//         kind is "odom" or "loop"; (dx, dy, dyaw) is pose `to` seen from pose `from`
//         (T_from_to); c.. is the upper triangle of its 3x3 covariance.
// Output (--out): one "POSE id x y yaw" line per pose, in input order; a summary on stdout.
// Options: --loss none|huber|cauchy (robust loss on loop edges only; default cauchy)
//          --loss-scale S (in standard deviations of the edge, default 1)
//          --max-iterations N (default 200)
#include <ceres/ceres.h>

#include <Eigen/Core>
#include <Eigen/Cholesky>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Pose2 {
  double x = 0, y = 0, yaw = 0;
};

struct Edge {
  bool loop = false;
  long from = 0, to = 0;
  double dx = 0, dy = 0, dyaw = 0;
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Identity();
  int line = 0;
};

template <typename T>
T WrapAngle(const T& a) {
  using std::atan2;
  using std::cos;
  using std::sin;
  return atan2(sin(a), cos(a));
}

// Residual of one relative-pose measurement, whitened by the square root of its information:
// r = L^T * (predicted - measured), where L L^T = covariance^-1.
class BetweenResidual {
 public:
  BetweenResidual(const Edge& e, const Eigen::Matrix3d& sqrt_information)
      : dx_(e.dx), dy_(e.dy), dyaw_(e.dyaw), sqrt_information_(sqrt_information) {}

  template <typename T>
  bool operator()(const T* a_x, const T* a_y, const T* a_yaw, const T* b_x, const T* b_y,
                  const T* b_yaw, T* residual) const {
    using std::cos;
    using std::sin;
    const T c = cos(*a_yaw);
    const T s = sin(*a_yaw);
    const T wx = *b_x - *a_x;
    const T wy = *b_y - *a_y;
    // Pose b in the frame of pose a, minus what was measured.
    Eigen::Matrix<T, 3, 1> error;
    error(0) = c * wx + s * wy - T(dx_);
    error(1) = -s * wx + c * wy - T(dy_);
    error(2) = WrapAngle(T(*b_yaw - *a_yaw - T(dyaw_)));
    Eigen::Map<Eigen::Matrix<T, 3, 1>> r(residual);
    r = sqrt_information_.template cast<T>() * error;
    return true;
  }

 private:
  double dx_, dy_, dyaw_;
  Eigen::Matrix3d sqrt_information_;
};

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << "seqvpr-pose-graph: " << message << "\n";
  std::exit(2);
}

struct Graph {
  std::vector<long> order;
  std::map<long, Pose2> poses;
  std::vector<Edge> edges;
  bool has_fixed = false;
  long fixed = 0;
};

Graph Read(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail("cannot read " + path);
  Graph g;
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const auto hash = raw.find('#');
    if (hash != std::string::npos) raw.resize(hash);
    std::istringstream line(raw);
    std::string tag;
    if (!(line >> tag)) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    if (tag == "POSE") {
      long id;
      Pose2 p;
      if (!(line >> id >> p.x >> p.y >> p.yaw)) Fail(where + ": POSE needs id x y yaw");
      if (g.poses.count(id)) Fail(where + ": pose " + std::to_string(id) + " given twice");
      g.poses[id] = p;
      g.order.push_back(id);
    } else if (tag == "FIX") {
      if (!(line >> g.fixed)) Fail(where + ": FIX needs an id");
      g.has_fixed = true;
    } else if (tag == "EDGE") {
      Edge e;
      std::string kind;
      double c[6];
      if (!(line >> kind >> e.from >> e.to >> e.dx >> e.dy >> e.dyaw >> c[0] >> c[1] >> c[2] >> c[3] >> c[4] >> c[5])) {
        Fail(where + ": EDGE needs kind from to dx dy dyaw and 6 covariance values");
      }
      if (kind != "odom" && kind != "loop") Fail(where + ": edge kind must be odom or loop, got " + kind);
      e.loop = kind == "loop";
      e.covariance << c[0], c[1], c[2], c[1], c[3], c[4], c[2], c[4], c[5];
      e.line = line_no;
      g.edges.push_back(e);
    } else {
      Fail(where + ": unknown record " + tag);
    }
  }
  if (g.order.empty()) Fail(path + " holds no POSE");
  for (const Edge& e : g.edges) {
    if (!g.poses.count(e.from) || !g.poses.count(e.to)) Fail(path + ":" + std::to_string(e.line) + ": edge names an unknown pose");
  }
  if (g.has_fixed && !g.poses.count(g.fixed)) Fail("FIX names an unknown pose");
  return g;
}

Eigen::Matrix3d SqrtInformation(const Edge& e) {
  // Information = covariance^-1 = L L^T; the whitening matrix is L^T.
  Eigen::LLT<Eigen::Matrix3d> llt(e.covariance.inverse());
  if (llt.info() != Eigen::Success || !e.covariance.allFinite()) {
    Fail("edge on line " + std::to_string(e.line) + " has a covariance that is not positive definite");
  }
  return llt.matrixL().transpose();
}

}  // namespace

int main(int argc, char** argv) {
  std::string in_path, out_path, loss = "cauchy";
  double loss_scale = 1.0;
  int max_iterations = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Fail(a + " needs a value");
      return argv[++i];
    };
    if (a == "--in") in_path = value();
    else if (a == "--out") out_path = value();
    else if (a == "--loss") loss = value();
    else if (a == "--loss-scale") loss_scale = std::atof(value().c_str());
    else if (a == "--max-iterations") max_iterations = std::atoi(value().c_str());
    else Fail("unknown option " + a + " (usage: --in GRAPH --out POSES [--loss none|huber|cauchy] [--loss-scale S] [--max-iterations N])");
  }
  if (in_path.empty() || out_path.empty()) Fail("usage: --in GRAPH --out POSES [--loss none|huber|cauchy] [--loss-scale S]");
  if (loss != "none" && loss != "huber" && loss != "cauchy") Fail("--loss must be none, huber or cauchy");
  if (!(loss_scale > 0)) Fail("--loss-scale must be positive");

  Graph g = Read(in_path);
  ceres::Problem problem;
  for (const Edge& e : g.edges) {
    ceres::LossFunction* robust = nullptr;
    if (e.loop && loss == "huber") robust = new ceres::HuberLoss(loss_scale);
    if (e.loop && loss == "cauchy") robust = new ceres::CauchyLoss(loss_scale);
    auto* cost = new ceres::AutoDiffCostFunction<BetweenResidual, 3, 1, 1, 1, 1, 1, 1>(new BetweenResidual(e, SqrtInformation(e)));
    Pose2& a = g.poses[e.from];
    Pose2& b = g.poses[e.to];
    problem.AddResidualBlock(cost, robust, &a.x, &a.y, &a.yaw, &b.x, &b.y, &b.yaw);
  }
  // The gauge: one pose stays where it is.
  Pose2& anchor = g.poses[g.has_fixed ? g.fixed : g.order.front()];
  if (problem.HasParameterBlock(&anchor.x)) {
    problem.SetParameterBlockConstant(&anchor.x);
    problem.SetParameterBlockConstant(&anchor.y);
    problem.SetParameterBlockConstant(&anchor.yaw);
  }

  ceres::Solver::Options options;
  options.max_num_iterations = max_iterations;
  options.linear_solver_type = ceres::SPARSE_NORMAL_CHOLESKY;
  // Graphs are small: converge tightly rather than stop at Ceres's default relative tolerances.
  options.function_tolerance = 1e-12;
  options.parameter_tolerance = 1e-12;
  options.gradient_tolerance = 1e-14;
  ceres::Solver::Summary summary;
  ceres::Solve(options, &problem, &summary);

  std::ofstream out(out_path);
  if (!out) Fail("cannot write " + out_path);
  out << std::setprecision(12);
  for (long id : g.order) {
    const Pose2& p = g.poses[id];
    out << "POSE " << id << " " << p.x << " " << p.y << " " << WrapAngle(p.yaw) << "\n";
  }
  out.close();
  if (!out) Fail("cannot write " + out_path);
  std::cout << std::setprecision(10) << "poses " << g.order.size() << " edges " << g.edges.size() << " initial_cost "
            << summary.initial_cost << " final_cost " << summary.final_cost << " iterations "
            << summary.iterations.size() << " converged " << (summary.termination_type == ceres::CONVERGENCE ? 1 : 0)
            << "\n";
  return summary.IsSolutionUsable() ? 0 : 3;
}
