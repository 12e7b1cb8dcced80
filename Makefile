# SPDX-License-Identifier: GPL-2.0-only
#
# gosalloc: a Go-style general-purpose allocator for the Linux kernel.
#
#   make		build gosalloc.ko, the example client and the test
#			modules against KDIR
#			(BENCH=1 adds the benchmark module, KUNIT=1 the
#			KUnit suites as gosalloc_kunit.ko, for a kernel
#			with CONFIG_KUNIT)
#   make run		boot Debian's kernel in QEMU, load gosalloc, show stats
#   make check		every test; ends with "N passed, N failed"
#			(a step that passed is reused while its inputs
#			stay the same; GOSALLOC_CHECK_CACHE=0 runs all)
#   make check-quick	KUnit under UML and the kselftests in Debian's
#			6.12 kernel only, for the edit-build-test loop
#   make fresh-root-test	make run in a new minimal Debian root, as on
#			a bare machine (tools/fresh-root-test.sh)
#   make bench		benchmarks against the kernel's kmalloc
#   make stress		the stress workload for STRESS_SECONDS (default 600)
#   make install	install the modules into KDIR's kernel
#   make dkms-install	install gosalloc with DKMS for the running kernel
#   make style		checkpatch, kernel-doc and sparse on the sources
#   make htmldocs	Documentation/ as HTML in out/htmldocs
#
# KDIR defaults to the running kernel's build directory when it exists,
# otherwise to Debian's 6.12 headers, fetched into the cache once.

TOP := $(CURDIR)
KERNEL_TOOLS := $(TOP)/tools/kernel
# What the scripts' "installing ... for" lines name.
export GOSALLOC_FOR ?= make $(or $(MAKECMDGOALS),all)

ifeq ($(origin KDIR),undefined)
  ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
    KDIR := /lib/modules/$(shell uname -r)/build
  else
    # Expanded once, and only by the targets that build modules.
    KDIR = $(eval KDIR := $(shell $(KERNEL_TOOLS)/debian-kernel.sh | \
		sed -n 's/^DEB_KDIR=//p'))$(KDIR)
  endif
endif

KBUILD_ARGS := M=$(TOP) CONFIG_GOSALLOC=m \
	       $(if $(BENCH),CONFIG_GOSALLOC_BENCH=m) \
	       $(if $(KUNIT),CONFIG_GOSALLOC_KUNIT_TEST=m)
CLIENT_ARGS := M=$(TOP)/tools/example-client GOSALLOC=$(TOP) \
	       KBUILD_EXTRA_SYMBOLS=$(TOP)/Module.symvers
TESTMOD_ARGS := M=$(TOP)/tools/test-modules GOSALLOC=$(TOP) \
	       KBUILD_EXTRA_SYMBOLS=$(TOP)/Module.symvers

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no KDIR: set KDIR=<kernel build dir>"; exit 1; }
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) modules
	$(MAKE) -C $(KDIR) $(CLIENT_ARGS) modules
	$(MAKE) -C $(KDIR) $(TESTMOD_ARGS) modules

install: modules
	$(MAKE) -C $(KDIR) $(KBUILD_ARGS) modules_install
	$(MAKE) -C $(KDIR) $(CLIENT_ARGS) modules_install

VERSION := $(shell cat $(TOP)/VERSION)

dkms-install:
	$(TOP)/tools/dkms-source.sh /usr/src/gosalloc-$(VERSION)
	-dkms remove -m gosalloc -v $(VERSION) --all 2>/dev/null
	dkms add -m gosalloc -v $(VERSION)
	dkms install -m gosalloc -v $(VERSION)

run:
	@$(TOP)/tools/run.sh

check:
	$(TOP)/tools/check.sh

check-quick:
	$(TOP)/tools/check.sh quick

fresh-root-test:
	@$(TOP)/tools/fresh-root-test.sh

bench:
	$(TOP)/tools/bench.sh

stress:
	$(TOP)/tools/stress.sh

kmalloc-workload:
	$(TOP)/tools/kmalloc-workload.sh

style:
	$(TOP)/tools/style.sh

htmldocs:
	$(TOP)/tools/htmldocs.sh

clean:
	rm -rf $(TOP)/out
	find $(TOP) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.symvers' \
		-o -name 'modules.order' -o -name '.*.d' \) -delete
	$(MAKE) -C $(TOP)/tools/gosalloc-stat clean

.PHONY: all modules install dkms-install run check check-quick \
	fresh-root-test bench stress kmalloc-workload style htmldocs clean
