# SPDX-License-Identifier: GPL-2.0
#
# vhost in-order: VIRTIO_F_IN_ORDER for the vhost core of Linux 6.12.
#
#   make deps     install everything on a fresh Debian 12 (root or sudo)
#   make          assemble the tree, build the vhost modules against KDIR
#   make demo     the main job: build, boot Debian's kernel under TCG with
#                 our modules, show each device's features and traffic
#   make check    sparse C=2, W=1, checkpatch --strict, kernel-doc, bisect
#   make kunit    KUnit on UML, then again with KASAN, lockdep and UBSAN
#   make vmtest   Debian's kernel under QEMU TCG with our modules: the
#                 in-order driver harness against each vhost device
#                 (SUITES=test net scsi dpdk fuzz; FUZZ_SEED=, FUZZ_EPISODES=)
#   make vmtest KERNEL=debug
#                 the same tree built as a small debug kernel (KASAN,
#                 lockdep, kmemleak, hung tasks, fault injection): the
#                 suites plus faults with vhost as modules, then test, net,
#                 scsi and params with vhost built in
#   make test     everything that tests (CI runs this)
#   make bench    in-order against not, interleaved in one VM session
#   make soak     10 million checked buffers per device with disruptions
#                 (SOAK_BUFFERS=, SOAK_SEED=, SOAK_DEVICES=; never in test)
#   make install  modules_install into /lib/modules/<kver>/updates + depmod
#   make dkms     a DKMS source tree of the same modules
#
# KSRC=<dir>      take upstream files from a 6.12 tree instead of Debian's
#                 linux-source-6.12
# KDIR=<dir>      build the modules against these headers/build tree
# BUILD=<dir>     where the tree, modules and results go (default build/;
#                 not O=, which kbuild would take for its own)

TOP    := $(CURDIR)
BUILD  ?= $(TOP)/build
KVER   := $(shell $(TOP)/scripts/kver.sh 2>/dev/null | cut -d' ' -f2)
KDIR   ?= /usr/src/linux-headers-$(KVER)
KSRC   ?=
TREE   := $(BUILD)/linux
MODDIR := $(BUILD)/modules/drivers/vhost
JOBS   ?= $(shell nproc)
KERNEL ?= debian
DEBUG_KERNEL := $(BUILD)/debug-kernel

# Every module that links against vhost.ko is rebuilt (MODVERSIONS).
# vhost_test has no upstream Kconfig symbol; our series adds VHOST_TEST.
MODULE_CONFIG := CONFIG_VHOST=m CONFIG_VHOST_NET=m CONFIG_VHOST_SCSI=m \
		 CONFIG_VHOST_VSOCK=m CONFIG_VHOST_VDPA=m CONFIG_VHOST_TEST=m \
		 CONFIG_VHOST_IOTLB=m
MODULES := vhost vhost_net vhost_scsi vhost_vsock vhost_vdpa vhost_test \
	   vhost_iotlb
DRIVER  := $(BUILD)/tools/inorder_driver

.PHONY: all deps tree modules check kunit vmtest test bench install \
	clean distclean show driver demo dkms soak

all: modules show

deps:
	@$(TOP)/scripts/deps.sh

# Setup runs by itself when something is missing, so a fresh machine needs
# no separate step.
$(BUILD)/.deps-ok: scripts/deps.sh scripts/kver.sh
	@$(TOP)/scripts/deps.sh
	@mkdir -p $(BUILD) && touch $@

tree: $(BUILD)/.deps-ok
	@$(TOP)/scripts/assemble.sh $(TREE) $(KSRC)

modules: tree
	@test -f $(KDIR)/Makefile || { echo "KDIR=$(KDIR) has no kernel build tree: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@rsync -a --checksum --delete --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod*' --exclude='.*.cmd' --exclude=modules.order \
		--exclude=Module.symvers --exclude=tests/ \
		$(TREE)/drivers/vhost/ $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(MODULE_CONFIG) W=$(W) C=$(C) -j$(JOBS) modules

show:
	@$(TOP)/scripts/show-modules.sh $(MODDIR) $(MODULES)

check: tree
	@$(TOP)/scripts/check.sh $(TOP) $(TREE) $(KDIR) $(BUILD)

kunit: tree
	@$(TOP)/scripts/kunit.sh $(TREE) $(BUILD)

driver: $(DRIVER)
DRIVER_SRC := $(wildcard tools/testing/vhost/inorder_driver/*.[ch])
$(DRIVER): $(DRIVER_SRC) $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Wextra -Werror -o $@ $(filter %.c,$(DRIVER_SRC))

demo: modules show $(DRIVER)
	@$(TOP)/tools/testing/vhost/demo.sh $(DRIVER) $(BUILD)/demo

ifeq ($(KERNEL),debug)
vmtest: tree $(DRIVER)
	@$(TOP)/scripts/debug-kernel.sh $(TREE) $(DEBUG_KERNEL)
	@VM_KERNEL=$(DEBUG_KERNEL)/modular $(TOP)/tools/testing/vhost/vmtest.sh \
		$(DRIVER) $(BUILD)/vmtest-debug $(SUITES)
	@[ -n "$(SUITES)" ] || VM_KERNEL=$(DEBUG_KERNEL)/builtin \
		$(TOP)/tools/testing/vhost/vmtest.sh $(DRIVER) $(BUILD)/vmtest-builtin
else ifeq ($(KERNEL),debian)
vmtest: modules $(DRIVER)
	@$(TOP)/tools/testing/vhost/vmtest.sh $(DRIVER) $(BUILD)/vmtest $(SUITES)
else
vmtest:
	@echo "KERNEL=$(KERNEL): debian (the default) or debug" >&2; exit 2
endif

test: check kunit
	@$(MAKE) --no-print-directory vmtest KERNEL=debian
	@$(MAKE) --no-print-directory vmtest KERNEL=debug

# Measurements, never part of make test.  Method: Documentation/bench.rst.
bench: modules $(DRIVER)
	@$(TOP)/tools/testing/vhost/bench.sh $(DRIVER) $(BUILD)/bench

# Long runs, never part of make test.
SOAK_BUFFERS ?= 10000000
SOAK_SEED ?= 1
soak: modules $(DRIVER)
	@SOAK_DEVICES="$(SOAK_DEVICES)" $(TOP)/tools/testing/vhost/soak.sh $(DRIVER) \
		$(BUILD)/soak $(SOAK_BUFFERS) $(SOAK_SEED)

# A DKMS source tree (and tarball) of the assembled drivers/vhost:
# `dkms add build/dkms/vhost-in-order-<ver>` then `dkms install`.
DKMS_VERSION := $(shell git -C $(TOP) describe --always --dirty 2>/dev/null || echo 0)
DKMS_DIR := $(BUILD)/dkms/vhost-in-order-$(DKMS_VERSION)
dkms: modules
	@rm -rf $(BUILD)/dkms && mkdir -p $(DKMS_DIR)/drivers
	@rsync -a --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' \
		--exclude='.*' --exclude=modules.order --exclude=Module.symvers \
		$(MODDIR)/ $(DKMS_DIR)/drivers/vhost/
	@sed 's/@VERSION@/$(DKMS_VERSION)/' packaging/dkms.conf.in > $(DKMS_DIR)/dkms.conf
	@tar -C $(BUILD)/dkms -czf $(DKMS_DIR).tar.gz vhost-in-order-$(DKMS_VERSION)
	@echo "dkms: $(DKMS_DIR) ($(DKMS_DIR).tar.gz)"

install: modules
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(MODULE_CONFIG) modules_install
	depmod -a $(KVER)

clean:
	rm -rf $(BUILD)/modules $(BUILD)/kunit*

distclean:
	rm -rf $(BUILD)
