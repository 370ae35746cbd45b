//go:build dev

package main

// buildType tells the UI it runs from a dev build (live assets, devtools).
const buildType = "dev"
