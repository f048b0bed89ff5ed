//===- GPUProgram.cpp - main() of AOT-compiled GPU programs ---------------===//
//
// utils/aot-compile.py --target=gpu generates a small C file that lists the
// entry's arguments and results (name, dtype, shape) and calls
// rev_gpu_program_main. This reads every argument from <inputs>/<name>.npy
// into GPU memory (device memory with explicit copies where the lowering
// marked it `device`, rev-lower-gpu memory=device; managed memory
// otherwise), calls the entry --repeat times, and writes every
// result to <outputs>/<name>.npy; it prints the median time per call and
// the peak of live device bytes the call allocated (arguments and results
// excluded), and the device bytes the calls left allocated (a leak: 0).
//
//   program --inputs DIR [--outputs DIR] [--repeat N] [--report FILE.json]
//           [--no-graph]
//
// An entry that a CUDA graph can replay (rev.abi graph) is captured into one
// after the first call, and the timed calls replay it; --no-graph calls it
// directly every time.
//
// Self-contained: no LLVM or MLIR library, only the NVIDIA driver.
//
//===----------------------------------------------------------------------===//

#include "RevGPUProgram.h"
#include "RevCudaRuntime.h"
#include "RevNpy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

int64_t elementSize(const std::string &dtype) {
  if (dtype == "float32" || dtype == "int32")
    return 4;
  if (dtype == "float64" || dtype == "int64")
    return 8;
  if (dtype == "bool")
    return 1;
  return 0;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += std::to_string(shape[i]) + (shape.size() == 1 ? "," : "") +
         (i + 1 < shape.size() ? ", " : "");
  return s + ")";
}

/// Reads a C-ordered .npy file of the expected dtype and shape into `dst`
/// (the header parsed by runtime/common/RevNpy.h, as rev-run parses it).
bool readNpy(const std::string &path, const RevTensorSpec &spec, void *dst,
             std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  std::string data((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  rev_npy::Header header;
  std::string why = rev_npy::parseHeader(data.data(), data.size(), header);
  if (!why.empty()) {
    error = path + " is not a valid .npy file: " + why;
    return false;
  }
  std::vector<int64_t> shape(spec.shape, spec.shape + spec.rank);
  if (header.descr != rev_npy::descrOf(spec.dtype)) {
    error = path + ": expected dtype " + spec.dtype + " (" +
            rev_npy::descrOf(spec.dtype) + "), not '" + header.descr + "'";
    return false;
  }
  if (header.fortranOrder) {
    error = path + ": Fortran order is not supported";
    return false;
  }
  if (header.shape != shape) {
    error = path + ": expected shape " + shapeText(shape) + ", not " +
            shapeText(header.shape);
    return false;
  }
  int64_t bytes = elementSize(spec.dtype);
  for (int64_t d : shape)
    bytes *= d;
  if (data.size() - header.dataOffset != static_cast<size_t>(bytes)) {
    error = path + ": " + std::to_string(data.size() - header.dataOffset) +
            " bytes of data, expected " + std::to_string(bytes);
    return false;
  }
  std::memcpy(dst, data.data() + header.dataOffset, bytes);
  return true;
}

bool writeNpy(const std::string &path, const RevTensorSpec &spec,
              const void *src) {
  std::vector<int64_t> shape(spec.shape, spec.shape + spec.rank);
  std::string header =
      rev_npy::headerBytes(rev_npy::descrOf(spec.dtype), shape);
  int64_t bytes = elementSize(spec.dtype);
  for (int64_t d : shape)
    bytes *= d;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out)
      return false;
    out << header;
    out.write(static_cast<const char *>(src), bytes);
    if (!out)
      return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string fileName(const char *name) {
  std::string s = name;
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

} // namespace

extern "C" int rev_gpu_program_main(int argc, char **argv, const char *entry,
                                    const RevTensorSpec *specs, int count,
                                    void (*call)(void **descriptors),
                                    int graphSafe, const char *const *checks,
                                    int checkCount) {
  std::string inputs, outputs, report;
  int repeat = 1;
  bool useGraph = graphSafe != 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s: %s needs a value\n", argv[0], a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--inputs")
      inputs = next();
    else if (a == "--outputs")
      outputs = next();
    else if (a == "--report")
      report = next();
    else if (a == "--repeat")
      repeat = std::max(1, std::atoi(next().c_str()));
    else if (a == "--no-graph")
      useGraph = false;
    else if (a == "--help" || a == "-h") {
      std::printf("usage: %s --inputs DIR [--outputs DIR] [--repeat N] "
                  "[--report FILE.json] [--no-graph]\n\n"
                  "  --no-graph  call @%s directly every time (%s)\n\n"
                  "Arguments of @%s:\n",
                  argv[0], entry,
                  graphSafe ? "by default the timed calls replay a CUDA graph "
                              "captured from one call"
                            : "it is not replayable: always so",
                  entry);
      for (int k = 0; k < count; ++k)
        std::printf("  %-6s %s: %s %s%s\n", specs[k].isResult ? "result" : "arg",
                    specs[k].name, specs[k].dtype,
                    shapeText(std::vector<int64_t>(
                                  specs[k].shape, specs[k].shape + specs[k].rank))
                        .c_str(),
                    specs[k].device ? " (device memory)" : "");
      if (checkCount > 0)
        std::printf("\nRun-time checks (a call that fails one ends the "
                    "program with status 1):\n");
      for (int k = 0; k < checkCount; ++k)
        std::printf("  check %d: %s\n", k, checks[k]);
      return 0;
    } else {
      std::fprintf(stderr, "%s: unknown option %s (see --help)\n", argv[0],
                   a.c_str());
      return 2;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "%s: --inputs DIR is required (see --help)\n", argv[0]);
    return 2;
  }
  char device[256];
  if (rev_gpu_init(device, sizeof(device)) != 0) {
    std::fprintf(stderr, "%s: %s\n", argv[0], device);
    return 1;
  }

  // Buffers (device or managed memory) and memref descriptors
  // {allocated, aligned, offset, sizes[rank], strides[rank]}.
  std::vector<void *> buffers(count), descriptors(count);
  std::vector<int64_t> bytes(count);
  std::vector<std::vector<int64_t>> storage(count);
  // Where the host reads and writes a tensor: its managed buffer, or a host
  // copy of its device buffer (copied with mgpuMemcpy).
  std::vector<std::vector<char>> staging(count);
  auto host = [&](int k) -> void * {
    return specs[k].device ? staging[k].data() : buffers[k];
  };
  for (int k = 0; k < count; ++k) {
    const RevTensorSpec &s = specs[k];
    int64_t elements = 1;
    for (int d = 0; d < s.rank; ++d)
      elements *= s.shape[d];
    bytes[k] = elements * elementSize(s.dtype);
    buffers[k] = mgpuMemAlloc(bytes[k], nullptr, !s.device);
    staging[k].resize(s.device ? bytes[k] : 0);
    if (!s.isResult) {
      std::string error;
      std::string path = inputs + "/" + fileName(s.name) + ".npy";
      if (!readNpy(path, s, host(k), error)) {
        std::fprintf(stderr, "%s: argument '%s': %s\n", argv[0], s.name,
                     error.c_str());
        return 1;
      }
      if (s.device)
        mgpuMemcpy(buffers[k], host(k), bytes[k], nullptr);
    }
    storage[k].assign(3 + 2 * s.rank, 0);
    std::memcpy(&storage[k][0], &buffers[k], sizeof(void *));
    std::memcpy(&storage[k][1], &buffers[k], sizeof(void *));
    int64_t stride = 1;
    for (int d = s.rank - 1; d >= 0; --d) {
      storage[k][3 + d] = s.shape[d];
      storage[k][3 + s.rank + d] = stride;
      stride *= s.shape[d];
    }
    descriptors[k] = storage[k].data();
  }

  // Whatever the calls allocate and do not free is a leak.
  uint64_t liveBefore = rev_gpu_live_bytes();

  // One untimed call first: it loads the kernel modules (lazily, at their
  // first launch) and moves managed pages to the device.
  call(descriptors.data());
  rev_gpu_synchronize();
  // The run-time checks of the last call, once it is done.
  auto checksFailed = [&] {
    int64_t check, value;
    if (!rev_gpu_check_status(&check, &value))
      return false;
    std::string message = check >= 0 && check < checkCount
                              ? checks[check]
                              : "check #" + std::to_string(check);
    std::fprintf(stderr, "%s: run-time check failed in @%s: %s; got %lld\n",
                 argv[0], entry, message.c_str(),
                 static_cast<long long>(value));
    return true;
  };
  if (checksFailed())
    return 1;

  std::vector<double> times;
  uint64_t peak = 0, launches = 0;
  // A CUDA graph captured from one call (whose allocations are counted as it
  // captures them: the replays allocate the same), replayed by the timed
  // calls.
  RevGPUGraph *graph = nullptr;
  if (useGraph) {
    rev_gpu_reset_peak();
    char why[512] = {0};
    struct Call {
      void (*call)(void **);
      void **descriptors;
    } once{call, descriptors.data()};
    auto run = [](void *c) {
      static_cast<Call *>(c)->call(static_cast<Call *>(c)->descriptors);
    };
    if (rev_gpu_graph_capture(run, &once, &graph, why, sizeof(why)) != 0) {
      std::fprintf(stderr, "%s: %s; calling @%s directly\n", argv[0], why,
                   entry);
      graph = nullptr;
    } else {
      peak = rev_gpu_peak_bytes();
      launches = rev_gpu_graph_launches(graph);
    }
  }
  for (int r = 0; r < repeat; ++r) {
    rev_gpu_synchronize();
    rev_gpu_reset_peak();
    auto t0 = std::chrono::steady_clock::now();
    if (graph)
      rev_gpu_graph_launch(graph);
    else
      call(descriptors.data());
    rev_gpu_synchronize();
    auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (checksFailed())
      return 1;
    if (!graph) {
      peak = std::max(peak, rev_gpu_peak_bytes());
      launches = rev_gpu_launches();
    }
  }
  uint64_t leaked = rev_gpu_live_bytes() - liveBefore;
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  std::printf("@%s on %s: %d call(s)%s, min %.3f ms, median %.3f ms; peak "
              "device bytes %llu; %llu kernel launches per call; leaked %llu\n",
              entry, device, repeat, graph ? " (CUDA graph replays)" : "",
              sorted.front(), median, static_cast<unsigned long long>(peak),
              static_cast<unsigned long long>(launches),
              static_cast<unsigned long long>(leaked));

  if (!outputs.empty())
    for (int k = 0; k < count; ++k) {
      if (!specs[k].isResult)
        continue;
      if (specs[k].device)
        mgpuMemcpy(host(k), buffers[k], bytes[k], nullptr);
      if (!writeNpy(outputs + "/" + fileName(specs[k].name) + ".npy", specs[k],
                    host(k))) {
        std::fprintf(stderr, "%s: cannot write result '%s' to %s\n", argv[0],
                     specs[k].name, outputs.c_str());
        return 1;
      }
    }
  if (!report.empty()) {
    std::ostringstream json;
    json << "{\"entry\": \"" << entry << "\", \"device\": \"" << device
         << "\", \"repeat\": " << repeat
         << ", \"time_ms\": {\"min\": " << sorted.front()
         << ", \"median\": " << median << "}, \"peak_device_bytes\": " << peak
         << ", \"leaked_device_bytes\": " << leaked
         << ", \"launches\": " << launches
         << ", \"graph\": " << (graph ? "true" : "false") << "}\n";
    std::ofstream out(report);
    out << json.str();
  }
  rev_gpu_graph_destroy(graph);
  for (void *b : buffers)
    mgpuMemFree(b, nullptr);
  return 0;
}
