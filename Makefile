# rev-opt: the README's two commands.
#
#   make demo    installs what is missing, builds, and runs the demo
#   make check   installs what is missing, builds, and runs every test
#
#   make check-sanitize   the same with AddressSanitizer and
#                         UndefinedBehaviorSanitizer (clang, build-sanitize/)
#   make fuzz             builds the libFuzzer targets (build-sanitize/) and
#                         runs each for FUZZ_SECONDS (default 60)
#
# Both work on a fresh Debian 12 machine (they call utils/setup.sh, which
# installs Debian's LLVM/MLIR 22, ONNX 1.12, Protobuf and the test tools).

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CCACHE := $(shell command -v ccache 2>/dev/null)
ifneq ($(CCACHE),)
CMAKE_FLAGS += -DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE)
endif

.PHONY: all setup configure build check demo docs clean check-sanitize fuzz fuzz-build

all: build

setup:
	./utils/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

check: build
	ctest --test-dir $(BUILD_DIR) -j $(JOBS) --output-on-failure

demo: build
	./utils/demo.sh $(BUILD_DIR)

docs: configure
	cmake --build $(BUILD_DIR) --target rev-update-docs

SANITIZE_DIR ?= build-sanitize
FUZZ_SECONDS ?= 60

$(SANITIZE_DIR)/build.ninja:
	./utils/setup.sh --sanitize
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DREV_SANITIZE=address,undefined -DREV_FUZZ=ON $(CMAKE_FLAGS)

check-sanitize: setup $(SANITIZE_DIR)/build.ninja
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	ctest --test-dir $(SANITIZE_DIR) -j $(JOBS) --output-on-failure

fuzz-build: setup $(SANITIZE_DIR)/build.ninja
	cmake --build $(SANITIZE_DIR) -j $(JOBS) --target fuzz-onnx-import \
	  fuzz-npy fuzz-tensor-proto fuzz-mlir

fuzz: fuzz-build
	./utils/fuzz.sh $(SANITIZE_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
