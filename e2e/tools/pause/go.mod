// The pods' sandbox program for the real node's containerd (e2e/tools/install.sh builds it; images/build-test-images.sh
// puts it in an image FROM scratch). No dependencies.
module strata.local/e2e-tools/pause

go 1.24
