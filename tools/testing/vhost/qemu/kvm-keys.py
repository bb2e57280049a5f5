#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# kvm-keys.py - hold KVM's static keys enabled for as long as this test VM
# lives, so that starting and stopping guests never patches kernel text.
#
# Each guest QEMU starts flips static keys of KVM when it is the first
# (or last) user: preempt_notifier_key when a VM is created or destroyed,
# apic_sw_disabled when a vCPU is created and its guest enables the APIC,
# apic_hw_disabled when an APIC is disabled.  Every flip is a
# text_poke_bp(), and multi-threaded TCG lets the test VM's other vCPU
# run the half-patched text ("Oops: int3", vm.sh).  One idle VM with one
# vCPU whose APIC is disabled in software (its reset state) and in
# hardware (APICBASE without the enable bit) keeps each count above zero,
# so the guests' increments and decrements never reach the patching.
#
# Run it while only one CPU is online (the test VM boots with maxcpus=1):
# its own flips then race with nothing.  Prints "ready" and sleeps until
# the VM powers off; it must not exit earlier (that would flip the keys
# back).  Exit 1 if KVM refuses a step.
import fcntl
import os
import signal
import struct
import sys

KVM_CREATE_VM = 0xAE01
KVM_CREATE_VCPU = 0xAE41
KVM_CREATE_IRQCHIP = 0xAE60
# _IOW(KVMIO, 0x89, struct kvm_msrs): the header is 8 bytes.
KVM_SET_MSRS = 0x4008AE89
MSR_IA32_APICBASE = 0x1B
APIC_DEFAULT_BASE = 0xFEE00000


def main():
    try:
        kvm = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
        vm = fcntl.ioctl(kvm, KVM_CREATE_VM, 0)
        # An in-kernel APIC: a vCPU without one would flip another key.
        fcntl.ioctl(vm, KVM_CREATE_IRQCHIP, 0)
        vcpu = fcntl.ioctl(vm, KVM_CREATE_VCPU, 0)
        # struct kvm_msrs { nmsrs, pad } + kvm_msr_entry { index, reserved, data }
        msrs = bytearray(struct.pack("=IIIIQ", 1, 0, MSR_IA32_APICBASE, 0, APIC_DEFAULT_BASE))
        if fcntl.ioctl(vcpu, KVM_SET_MSRS, msrs, True) != 1:
            raise OSError("KVM_SET_MSRS set no APICBASE")
    except OSError as e:
        print(f"kvm-keys: {e}", file=sys.stderr)
        return 1
    print("ready", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
