// UNVERIFIED: never built (no Android SDK or Gradle plugin on the machine it was written on).
// The Gradle side of the Android launcher: packages libcensus_android.so (built first with
// `cargo ndk`, see README.md) with GameActivity into an APK.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "census-android"
include(":app")
