// LoRA: adapters attach with the base's outputs unchanged, only what the
// config names trains (gradients and AdamW state), dropout replays under
// activation checkpointing, resume is bit-exact, merging keeps the outputs,
// and PEFT's adapter files carry PEFT's names.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <filesystem>

#include "common/cpu_tensor_memory.h"
#include "common/error.h"
#include "common/json_file.h"
#include "model/autocast_state.h"
#include "model_io/hf_checkpoint.h"
#include "lora/lora.h"
#include "model/model_init.h"
#include "model_io/safetensors.h"
#include "tiny_training_fixture.h"
#include "train/batch_source.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

using namespace pose;
namespace fs = std::filesystem;

namespace {

model::LlamaForCausalLM tiny_model(uint64_t seed) {
  model::LlamaForCausalLM m(tiny_training_config());
  model::init_weights(m, seed);
  return m;
}

model::LoraConfig lora_config(std::vector<model::LoraTarget> targets = {model::LoraTarget::Q, model::LoraTarget::V}) {
  model::LoraConfig c;
  c.rank = 4;
  c.alpha = 8;
  c.targets = std::move(targets);
  return c;
}

train::BatchSourceOptions source_options() {
  train::BatchSourceOptions o;
  o.design = positions::make_design(positions::Strategy::Pose, 16, 64);
  o.segment_len = 64;
  o.batch_size = 4;
  o.grad_accum = 1;
  o.seed = 99;
  return o;
}

train::TrainingSettings settings(int64_t steps) {
  train::TrainingSettings s;
  s.steps = steps;
  s.lr = 1e-2;
  s.warmup_steps = 1;
  s.checkpoint_every = 0;
  s.seed = 5;
  return s;
}

class Losses : public train::TrainObserver {
 public:
  std::vector<double> losses;
  std::function<void(int64_t)> after_checkpoint;
  std::function<void(int64_t)> after_step;
  void on_step(const train::StepEvent& e) override {
    losses.push_back(e.loss);
    if (after_step) after_step(e.step);
  }
  void on_checkpoint(const std::string&, int64_t step, const std::string&) override {
    if (after_checkpoint) after_checkpoint(step);
  }
};

torch::Tensor logits_of(model::LlamaForCausalLM& m) {
  torch::NoGradGuard no_grad;
  const torch::Tensor ids = torch::arange(3, 3 + 40, torch::kLong).remainder(60).view({1, 40});
  return m->forward(ids, model::contiguous_positions(1, 40));
}

int64_t expected_adapter_parameters(const model::ModelConfig& c, const model::LoraConfig& l) {
  const int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
  int64_t per_layer = 0;
  for (const auto t : l.targets) {
    switch (t) {
      case model::LoraTarget::Q: per_layer += l.rank * (c.hidden_size + q); break;
      case model::LoraTarget::K:
      case model::LoraTarget::V: per_layer += l.rank * (c.hidden_size + kv); break;
      case model::LoraTarget::O: per_layer += l.rank * (q + c.hidden_size); break;
      default: per_layer += l.rank * (c.hidden_size + c.intermediate_size); break;
    }
  }
  return per_layer * c.num_hidden_layers;
}

}  // namespace

class TestLora : public QObject {
  Q_OBJECT
 private slots:
  // A LoRA run's model holds the base's own tensors: building it allocates
  // no weights (only its RoPE tables), its outputs with the base's RoPE are
  // the base's, and another architecture is refused.
  void aSharingModelAllocatesNoWeightsOfItsOwn() {
    auto config_with = [](nlohmann::json extra) {
      nlohmann::json cfg = {{"model_type", "llama"},       {"vocab_size", 512},       {"hidden_size", 128},
                            {"intermediate_size", 256},    {"num_hidden_layers", 2},  {"num_attention_heads", 4},
                            {"num_key_value_heads", 2},    {"max_position_embeddings", 64},
                            {"tie_word_embeddings", false}};
      if (extra.is_object()) cfg.update(extra);
      return model::config_from_hf_json(cfg);
    };
    CpuTensorMemory::install();
    model::LlamaForCausalLM base(config_with({}));
    model::init_weights(base, 3);
    int64_t weight_bytes = 0;
    for (const auto& p : base->parameters()) weight_bytes += p.numel() * static_cast<int64_t>(p.element_size());

    const auto extended = config_with({{"max_position_embeddings", 256}, {"rope_scaling", {{"type", "linear"}, {"factor", 4.0}}}});
    const int64_t before = CpuTensorMemory::live_bytes();
    CpuTensorMemory::reset_peak();
    auto model = model::make_model_sharing(base, extended);
    const int64_t grew = CpuTensorMemory::peak_bytes() - before;
    QVERIFY2(grew < weight_bytes / 10, qPrintable(QString("building took %1 bytes; the weights are %2").arg(grew).arg(weight_bytes)));
    const auto shared = base->named_parameters();
    for (const auto& p : model->named_parameters()) {
      QVERIFY2(p.value().data_ptr() == shared[p.key()].data_ptr(), p.key().c_str());
      QCOMPARE(p.value().sizes(), shared[p.key()].sizes());
    }
    QCOMPARE(model->config().rope_params().factor, 4.0);

    auto same = model::make_model_sharing(base, base->config());
    QVERIFY(torch::equal(logits_of(same), logits_of(base)));
    QVERIFY_EXCEPTION_THROWN(model::make_model_sharing(base, config_with({{"hidden_size", 64}})), std::invalid_argument);
  }

  void attachingKeepsTheOutputsAndFreezesTheBase() {
    auto m = tiny_model(1);
    m->eval();
    const torch::Tensor before = logits_of(m);
    const auto config = lora_config();
    model::attach_lora(m, config, 3);
    QVERIFY(model::has_lora(m));
    QVERIFY(torch::equal(logits_of(m), before));  // B = 0: W' = W

    const auto counts = model::count_parameters(m);
    QCOMPARE(counts.adapters, expected_adapter_parameters(m->config(), config));
    QCOMPARE(counts.trainable, counts.adapters);
    int64_t base = 0;
    for (const auto& item : m->named_parameters()) {
      const std::string& name = item.key();
      const bool adapter = name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos;
      QCOMPARE(item.value().requires_grad(), adapter);
      if (!adapter) base += item.value().numel();
    }
    QCOMPARE(counts.total, base + counts.adapters);
    // PEFT's names on the targeted projections, none on the others.
    const auto named = m->named_parameters();
    QVERIFY(named.contains("model.layers.1.self_attn.q_proj.lora_A.weight"));
    QVERIFY(named.contains("model.layers.1.self_attn.v_proj.lora_B.weight"));
    QVERIFY(!named.contains("model.layers.1.self_attn.k_proj.lora_A.weight"));
    QCOMPARE(named["model.layers.0.self_attn.q_proj.lora_A.weight"].sizes().vec(),
             (std::vector<int64_t>{4, m->config().hidden_size}));
    // Same seed, same adapters; attaching twice is refused.
    auto again = tiny_model(1);
    model::attach_lora(again, config, 3);
    QVERIFY(torch::equal(again->named_parameters()["model.layers.0.self_attn.q_proj.lora_A.weight"],
                         named["model.layers.0.self_attn.q_proj.lora_A.weight"]));
    QVERIFY_THROWS_EXCEPTION(pose::UserError, model::attach_lora(m, config, 3));

    // Embeddings and norms train when asked.
    auto wide = tiny_model(1);
    auto wide_config = lora_config(model::all_lora_targets());
    wide_config.train_embeddings = true;
    wide_config.train_norms = true;
    model::attach_lora(wide, wide_config, 3);
    const auto wide_named = wide->named_parameters();
    QVERIFY(wide_named["model.embed_tokens.weight"].requires_grad());
    QVERIFY(wide_named["model.norm.weight"].requires_grad());
    QVERIFY(wide_named["model.layers.0.post_attention_layernorm.weight"].requires_grad());
    QVERIFY(!wide_named["model.layers.0.mlp.down_proj.weight"].requires_grad());
    const auto& c = wide->config();
    const int64_t norms = (2 * c.num_hidden_layers + 1) * c.hidden_size;
    QCOMPARE(model::count_parameters(wide).trainable,
             expected_adapter_parameters(c, wide_config) + c.vocab_size * c.hidden_size + norms);
  }

  void onlyTrainableParametersLearnAndHoldOptimizerState() {
    // A base that has learnt something (a random one's frozen LM head keeps its
    // logits near zero, whatever the adapters do), trained in full first.
    train::BatchSource source(learnable_documents(), source_options());
    QTemporaryDir dir;
    auto m = tiny_model(1);
    {
      train::TrainerOptions base;
      base.run_name = "base";
      base.fingerprint = "b";
      base.settings = settings(30);
      base.checkpoint_file = dir.path().toStdString() + "/base.pt";
      QVERIFY(train::train_model(m, source, base).completed);
    }
    auto frozen = tiny_model(1);
    {
      torch::NoGradGuard no_grad;
      auto trained_base = m->named_parameters();
      for (auto& item : frozen->named_parameters()) item.value().copy_(trained_base[item.key()]);
    }
    auto config = lora_config(model::all_lora_targets());
    config.train_norms = true;
    model::attach_lora(m, config, 3);
    train::TrainerOptions o;
    o.run_name = "lora";
    o.fingerprint = "f";
    o.settings = settings(25);
    o.checkpoint_file = dir.path().toStdString() + "/c.pt";
    Losses losses;
    o.observer = &losses;
    const auto result = train::train_model(m, source, o);
    QVERIFY(result.completed);
    // Losses fall: the mean of the last five steps below that of the first five.
    double first = 0, last = 0;
    for (int i = 0; i < 5; ++i) {
      first += losses.losses[static_cast<std::size_t>(i)];
      last += losses.losses[losses.losses.size() - 1 - static_cast<std::size_t>(i)];
    }
    QVERIFY2(last < first, (std::to_string(first / 5) + " -> " + std::to_string(last / 5)).c_str());
    // On batches of the same distribution it did not train on, the adapted
    // model's loss is below the frozen base's.
    auto mean_loss = [&](model::LlamaForCausalLM& model) {
      torch::NoGradGuard no_grad;
      model->eval();
      double sum = 0;
      for (int64_t step = 100; step < 110; ++step) {
        const auto b = source.micro_batch(step, 0);
        sum += model->loss(b.input_ids, b.position_ids, b.labels).item<double>();
      }
      return sum / 10;
    };
    const double adapted_loss = mean_loss(m), base_loss = mean_loss(frozen);
    QVERIFY2(adapted_loss < base_loss, (std::to_string(base_loss) + " -> " + std::to_string(adapted_loss)).c_str());
    // Frozen weights are bit-identical to the base; adapters moved (B no longer zero).
    const auto trained = m->named_parameters();
    for (const auto& item : frozen->named_parameters()) {
      const bool norm = item.key().find("norm") != std::string::npos;
      QCOMPARE(torch::equal(item.value(), trained[item.key()]), !norm);
    }
    QVERIFY(trained["model.layers.0.self_attn.q_proj.lora_B.weight"].abs().sum().item<double>() > 0);
    // AdamW has state for exactly the trainable tensors.
    auto optimizer = train::make_optimizer(m, o.settings);
    QCOMPARE(optimizer->param_groups().front().params().size(), model::trainable_parameters(m).size());
    QCOMPARE(model::trainable_parameters(m).size(), std::size_t(2 * 7 * 2 + 2 * 2 + 1));  // adapters, 5 norms
    // The checkpoint holds the adapters, not the frozen base.
    torch::serialize::InputArchive archive;
    archive.load_from(o.checkpoint_file.string());
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    torch::Tensor t;
    QVERIFY(model_archive.try_read("model.layers.0.self_attn.q_proj.lora_A.weight", t));
    QVERIFY(!model_archive.try_read("model.layers.0.self_attn.q_proj.weight", t));
  }

  // Dropout masks drawn in forward are drawn again, the same, when a
  // checkpointed layer is recomputed: the gradients equal the plain ones.
  void dropoutReplaysUnderActivationCheckpointing_data() {
    QTest::addColumn<double>("dropout");
    QTest::newRow("no dropout") << 0.0;
    QTest::newRow("dropout 0.3") << 0.3;
  }
  void dropoutReplaysUnderActivationCheckpointing() {
    QFETCH(double, dropout);
    auto config = lora_config(model::all_lora_targets());
    config.dropout = dropout;
    std::vector<std::vector<torch::Tensor>> grads;
    for (const bool checkpointing : {false, true}) {
      auto m = tiny_model(1);
      model::attach_lora(m, config, 3);
      {  // non-zero B, so the dropout'ed path reaches the loss; the same in both models
        torch::NoGradGuard no_grad;
        torch::manual_seed(5);
        for (auto& p : model::trainable_parameters(m)) p.normal_(0.0, 0.05);
      }
      m->options().activation_checkpointing = checkpointing;
      m->train();
      const torch::Tensor ids = torch::arange(3, 3 + 48, torch::kLong).remainder(60).view({2, 24});
      torch::manual_seed(11);
      m->loss(ids, model::contiguous_positions(2, 24), ids).backward();
      std::vector<torch::Tensor> g;
      for (auto& p : model::trainable_parameters(m)) g.push_back(p.grad().clone());
      grads.push_back(g);
    }
    for (std::size_t i = 0; i < grads[0].size(); ++i) {
      QVERIFY2(torch::allclose(grads[0][i], grads[1][i], 1e-5, 1e-6),
               (std::to_string(i) + ": " + std::to_string((grads[0][i] - grads[1][i]).abs().max().item<double>()) + " of " +
                std::to_string(grads[0][i].abs().max().item<double>()))
                   .c_str());
    }
  }

  void resumeIsBitExact() {
    QTemporaryDir dir;
    train::BatchSource source(learnable_documents(), source_options());
    auto config = lora_config();
    config.dropout = 0.1;
    config.train_norms = true;
    auto s = settings(8);
    s.checkpoint_every = 3;
    auto fresh = [&](uint64_t adapter_seed) {
      auto m = tiny_model(1);
      model::attach_lora(m, config, adapter_seed);
      m->options().activation_checkpointing = true;
      return m;
    };
    train::TrainerOptions o;
    o.run_name = "r";
    o.fingerprint = "f";
    o.settings = s;
    o.checkpoint_file = dir.path().toStdString() + "/whole.pt";
    auto whole = fresh(3);
    Losses all;
    o.observer = &all;
    QVERIFY(train::train_model(whole, source, o).completed);

    // A run killed after step 4: its step-3 checkpoint is what is left.
    auto first = fresh(3);
    Losses part;
    train::RunControl control;
    o.checkpoint_file = dir.path().toStdString() + "/part.pt";
    part.after_checkpoint = [&](int64_t step) {
      if (step == 3) fs::copy_file(o.checkpoint_file, dir.path().toStdString() + "/step3.pt");
    };
    part.after_step = [&](int64_t step) {
      if (step == 4) control.request_cancel();
    };
    o.observer = &part;
    o.control = &control;
    QVERIFY(train::train_model(first, source, o).cancelled);

    auto resumed = fresh(77);  // other adapters: the checkpoint must replace them
    Losses rest;
    train::TrainerOptions ro = o;
    ro.control = nullptr;
    ro.resume = true;
    ro.observer = &rest;
    ro.checkpoint_file = dir.path().toStdString() + "/step3.pt";
    const auto done = train::train_model(resumed, source, ro);
    QCOMPARE(done.resumed_from, int64_t{3});
    QCOMPARE(rest.losses.size(), std::size_t(5));
    for (std::size_t i = 0; i < rest.losses.size(); ++i) QCOMPARE(rest.losses[i], all.losses[3 + i]);
    const auto a = whole->named_parameters(), b = resumed->named_parameters();
    for (const auto& item : a) QVERIFY2(torch::equal(item.value(), b[item.key()]), item.key().c_str());
  }

  void mergingKeepsTheOutputsAndExportsPlainWeights() {
    auto m = tiny_model(1);
    auto config = lora_config(model::all_lora_targets());
    config.train_norms = true;
    model::attach_lora(m, config, 3);
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model::trainable_parameters(m)) p.add_(torch::randn(p.sizes()) * 0.05);
    }
    m->eval();
    const torch::Tensor adapted = logits_of(m);
    const auto peft = model::peft_adapter_tensors(m, config);
    QTemporaryDir dir;
    const fs::path adapter_dir = dir.path().toStdString() + "/adapter";
    model::save_peft_adapter(m, config, adapter_dir, "base-dir");

    model::merge_lora(m);
    QVERIFY(!model::has_lora(m));
    QVERIFY(torch::allclose(logits_of(m), adapted, 1e-4, 1e-5));
    for (const auto& item : m->named_parameters()) {
      QVERIFY2(item.key().find("lora_") == std::string::npos, item.key().c_str());
      QVERIFY(item.value().requires_grad());
    }
    // The merged export reads back as a plain model with the adapted outputs.
    const fs::path export_dir = dir.path().toStdString() + "/merged";
    model::save_hf_model(m, export_dir);
    auto loaded = model::load_hf_model(export_dir).model;
    loaded->eval();
    QVERIFY(torch::allclose(logits_of(loaded), adapted, 1e-4, 1e-5));

    // PEFT's files: the config's fields and every tensor by its PEFT name.
    const auto j = read_json_file(adapter_dir / model::kPeftConfigFile);
    QCOMPARE(j["peft_type"].get<std::string>(), std::string("LORA"));
    QCOMPARE(j["r"].get<int64_t>(), int64_t{4});
    QCOMPARE(j["lora_alpha"].get<double>(), 8.0);
    QCOMPARE(j["target_modules"].size(), std::size_t(7));
    QCOMPARE(j["base_model_name_or_path"].get<std::string>(), std::string("base-dir"));
    QVERIFY(j["modules_to_save"].is_array());
    const model::SafetensorsFile st(adapter_dir / model::kPeftWeightsFile);
    QCOMPARE(st.entries().size(), peft.size());
    for (const auto& [name, tensor] : peft) {
      QVERIFY2(name.rfind("base_model.model.model.", 0) == 0, name.c_str());
      QVERIFY2(torch::equal(st.tensor(name), tensor), name.c_str());
    }
    QVERIFY(st.find("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"));
    QVERIFY(st.find("base_model.model.model.norm.weight"));
  }

  // A model whose frozen weights are another's tensors (a LoRA run shares the
  // base's): training and merging leave the other model as it was.
  void mergingLeavesSharedWeightsAlone() {
    auto base = tiny_model(1);
    auto run = tiny_model(2);
    {
      torch::NoGradGuard no_grad;
      auto src = base->named_parameters();
      for (auto& p : run->named_parameters()) p.value().set_data(src[p.key()]);
    }
    std::vector<torch::Tensor> before;
    for (const auto& p : base->parameters()) before.push_back(p.detach().clone());
    model::attach_lora(run, lora_config(model::all_lora_targets()), 3);
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model::trainable_parameters(run)) p.add_(torch::randn(p.sizes()) * 0.05);
    }
    run->eval();
    const torch::Tensor adapted = logits_of(run);
    model::merge_lora(run);
    QVERIFY(torch::allclose(logits_of(run), adapted, 1e-4, 1e-5));
    const auto after = base->parameters();
    for (std::size_t i = 0; i < before.size(); ++i) QVERIFY(torch::equal(after[i], before[i]));
    // The merged projections are the run's own now.
    QVERIFY(run->named_parameters()["model.layers.0.self_attn.q_proj.weight"].data_ptr() !=
            base->named_parameters()["model.layers.0.self_attn.q_proj.weight"].data_ptr());
  }

  // Under bf16 the frozen projections may be stored in bf16: half their
  // memory, the adapters still fp32 and training.
  void frozenProjectionsStoredInBf16() {
    auto m = tiny_model(1);
    model::attach_lora(m, lora_config(), 3);
    model::store_frozen_projections_as(m, torch::kBFloat16);
    const auto named = m->named_parameters();
    QCOMPARE(named["model.layers.0.self_attn.k_proj.weight"].scalar_type(), torch::kBFloat16);
    QCOMPARE(named["model.layers.0.self_attn.q_proj.lora_A.weight"].scalar_type(), torch::kFloat);
    QCOMPARE(named["model.embed_tokens.weight"].scalar_type(), torch::kFloat);
    m->eval();
    const torch::Tensor ids = torch::arange(3, 3 + 16, torch::kLong).view({1, 16});
    torch::Tensor logits;
    {
      torch::NoGradGuard no_grad;
      model::AutocastState bf16;
      bf16.cpu = true;
      const model::AutocastStateScope autocast(bf16);
      logits = m->forward(ids, model::contiguous_positions(1, 16));
    }
    QVERIFY(torch::isfinite(logits).all().item<bool>());
  }
};

QTEST_APPLESS_MAIN(TestLora)
#include "test_lora.moc"
