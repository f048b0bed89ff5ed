# rev-opt: the README's two commands.
#
#   make demo    installs what is missing, builds, and runs the demo
#   make check   installs what is missing, builds, and runs every test
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

.PHONY: all setup configure build check demo docs clean

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

clean:
	rm -rf $(BUILD_DIR)
