# SPDX-License-Identifier: GPL-2.0-only
#
# Sphinx configuration for gosalloc's documentation ("make htmldocs").
# The kernel-doc directive comes from a kernel source tree, named by
# GOSALLOC_KSRC (tools/htmldocs.sh sets it): its Sphinx extension and its
# scripts/kernel-doc pull the comments out of gosalloc's sources.
import os
import sys

top = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ksrc = os.environ["GOSALLOC_KSRC"]
sys.path.insert(0, os.path.join(ksrc, "Documentation", "sphinx"))

project = "gosalloc"
copyright = "The gosalloc authors"
master_doc = "index"
extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(ksrc, "scripts", "kernel-doc")
kerneldoc_srctree = top
exclude_patterns = ["output"]
html_theme = "alabaster"
