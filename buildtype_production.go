//go:build !dev

package main

// buildType tells the UI it runs from a release build.
const buildType = "production"
