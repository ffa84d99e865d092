#!/bin/bash
test_description="placeholder"
. "$(dirname "$0")/lib.sh"
test_expect_success "placeholder" "true"
test_done
