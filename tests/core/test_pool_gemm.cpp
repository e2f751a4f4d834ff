// fp32 GEMMs split over LibTorch's pool (kernels/pool_gemm.h): they run on every
// thread of the pool, give LibTorch's results (rows, columns, batches, a
// broadcast bias, transposed operands), Linear's gradients, and step aside
// where the split does not apply.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <cstdlib>

#include "common/threads.h"
#include "model/autocast_state.h"
#include "kernels/pool_gemm.h"

using namespace pose::model;

namespace {

bool close(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && torch::allclose(a, b, /*rtol=*/1e-5, /*atol=*/1e-5);
}

}  // namespace

class TestPoolGemm : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) QSKIP("OPENBLAS_NUM_THREADS is set: the split steps aside");
    pose::configure_threads(2);
    if (pose::blas_threads() != 1) QSKIP("the BLAS here is not OpenBLAS's pthread build");
    torch::manual_seed(3);
  }
  void cleanup() { pose::configure_threads(2); }

  void splitRunsOnEveryThreadOfThePool() {
    QCOMPARE(pool_gemm_threads(), 2);
    const auto a = torch::randn({512, 256}), b = torch::randn({256, 256});
    QVERIFY(pool_gemm_applies(a, b, 512, 256, 256));
    pose::configure_threads(1);
    QCOMPARE(pool_gemm_threads(), 1);
    QVERIFY(!pool_gemm_applies(a, b, 512, 256, 256));
  }

  void stepsAsideWhereItDoesNotApply() {
    const auto a = torch::randn({512, 256}), b = torch::randn({256, 256});
    QVERIFY(!pool_gemm_applies(a.to(torch::kBFloat16), b.to(torch::kBFloat16), 512, 256, 256));
    QVERIFY(!pool_gemm_applies(a, b, 8, 8, 8));  // too small to share
    {
      const AutocastStateScope bf16({/*cuda=*/false, torch::kBFloat16, /*cpu=*/true, torch::kBFloat16});
      QVERIFY(!pool_gemm_applies(a, b, 512, 256, 256));
      // Under CPU autocast the projection is LibTorch's, in bf16.
      QCOMPARE(pool_linear(a, b, torch::Tensor()).scalar_type(), torch::kBFloat16);
    }
  }

  void productsMatchLibTorch() {
    const auto a = torch::randn({300, 128}), b = torch::randn({128, 200});
    QVERIFY(close(pool_mm(a, b), torch::mm(a, b)));                  // split by rows
    const auto wide = torch::randn({128, 900});
    QVERIFY(close(pool_mm(a, wide), torch::mm(a, wide)));            // split by columns
    const auto at = torch::randn({128, 300});
    QVERIFY(close(pool_mm(at.t(), b), torch::mm(at.t(), b)));        // transposed operand
    QVERIFY(close(pool_mm(b.t(), a.t()), torch::mm(b.t(), a.t())));  // both, columns

    const auto q = torch::randn({6, 96, 64}), k = torch::randn({6, 80, 64});
    QVERIFY(close(pool_bmm(q, k.transpose(1, 2)), at::bmm(q, k.transpose(1, 2))));  // by batch
    const auto q1 = q.narrow(0, 0, 1), k1 = k.narrow(0, 0, 1);
    QVERIFY(close(pool_bmm(q1, k1.transpose(1, 2)), at::bmm(q1, k1.transpose(1, 2))));  // by rows
    const auto mask = torch::randn({1, 96, 80});
    QVERIFY(close(pool_baddbmm(mask, q, k.transpose(1, 2), 1.0, 0.125),
                  at::baddbmm(mask, q, k.transpose(1, 2), 1.0, 0.125)));
    QVERIFY(close(pool_baddbmm(mask, q1, k1.transpose(1, 2), 1.0, 0.125),
                  at::baddbmm(mask, q1, k1.transpose(1, 2), 1.0, 0.125)));
  }

  void linearGradientsMatchLibTorch() {
    for (const bool with_bias : {false, true}) {
      const auto x = torch::randn({4, 70, 96}, torch::requires_grad());
      const auto w = torch::randn({160, 96}, torch::requires_grad());
      const auto bias = with_bias ? torch::randn({160}, torch::requires_grad()) : torch::Tensor();
      const auto r = torch::randn({4, 70, 160});
      QVERIFY(pool_gemm_applies(x, w, 4 * 70, 160, 96));
      const auto y = pool_linear(x, w, bias);
      (y * r).sum().backward();
      const auto x2 = x.detach().clone().requires_grad_(true);
      const auto w2 = w.detach().clone().requires_grad_(true);
      const auto bias2 = with_bias ? bias.detach().clone().requires_grad_(true) : torch::Tensor();
      const auto y2 = torch::nn::functional::linear(x2, w2, bias2);
      (y2 * r).sum().backward();
      QVERIFY(close(y, y2));
      QVERIFY(close(x.grad(), x2.grad()));
      QVERIFY(torch::allclose(w.grad(), w2.grad(), 1e-4, 1e-4));  // sums over 280 rows
      if (with_bias) QVERIFY(torch::allclose(bias.grad(), bias2.grad(), 1e-4, 1e-4));
    }
  }

  void noGradientWhereNoneIsAsked() {
    const auto x = torch::randn({64, 96});
    const auto w = torch::randn({128, 96}, torch::requires_grad());
    pool_linear(x, w, torch::Tensor()).sum().backward();
    QVERIFY(w.grad().defined());
    QVERIFY(!x.grad().defined());
  }
};

QTEST_APPLESS_MAIN(TestPoolGemm)
#include "test_pool_gemm.moc"
