// UNVERIFIED: never built. The native library must be in src/main/jniLibs/arm64-v8a/ first:
//   cargo ndk -t arm64-v8a -P 28 -o app/src/main/jniLibs build --release --locked
plugins {
    id("com.android.application")
}

android {
    namespace = "org.census.tablet"
    compileSdk = 35
    // The NDK that built the library (r28: 16 KB page alignment by default). Gradle only
    // packages the prebuilt .so; this keeps its strip tool the same version.
    ndkVersion = "28.0.13004108"

    defaultConfig {
        applicationId = "org.census.tablet"
        // API 28: OpenSSL (built for SQLCipher) calls getentropy(), present from API 28.
        minSdk = 28
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk {
            abiFilters += listOf("arm64-v8a")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        // Uncompressed, page-aligned native libraries (AGP 8.5.1+ aligns them to 16 KB).
        jniLibs {
            useLegacyPackaging = false
        }
    }
}

dependencies {
    // Must match android-activity 0.6.1 (pinned in ../Cargo.lock): games-activity 4.4.0.
    implementation("androidx.games:games-activity:4.4.0")
    implementation("androidx.core:core:1.13.1")
    implementation("androidx.appcompat:appcompat:1.7.0")
}
