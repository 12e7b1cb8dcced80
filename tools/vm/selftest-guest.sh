#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest side of the kselftest run: the installed tests are in /selftests.
/selftests/run_kselftest.sh
