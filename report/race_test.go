//go:build race

package report_test

// raceEnabled is set under the race detector, whose sync.Pool drops some
// of what it is given, so that allocation there is not what it is without.
const raceEnabled = true
