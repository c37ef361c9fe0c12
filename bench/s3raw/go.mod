module strata.dev/bench/s3raw

go 1.21
