import Glibc
func _now() -> Double { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec)*1e9 + Double(ts.tv_nsec) }
