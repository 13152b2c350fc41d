//! The key file's platform layer on Android: an AES-256-GCM key in the Android Keystore
//! (`"AndroidKeyStore"`), created on first use, non-exportable (the key material never enters
//! the app's memory), StrongBox-backed where the tablet has a StrongBox (API 28+; otherwise the
//! TEE). Reached through JNI (`jni` 0.22, the `JavaVM` that android-activity registers before
//! `android_main`). Compiled only for `target_os = "android"`; type-checked by
//! `.ci/android-check`, never run here (no device).
//!
//! Stored layout: `iv (12) ‖ ciphertext ‖ tag (16)`, as `Cipher("AES/GCM/NoPadding")` returns.

use jni::objects::{JByteArray, JObject, JValue};
use jni::{Env, JavaVM, jni_sig, jni_str};
use zeroize::Zeroizing;

use crate::keys::{KeyError, KeyProtector};

/// The alias of the key in the Android Keystore.
pub const KEY_ALIAS: &str = "census-db-key-wrap-v1";
/// The layer's name in the key file.
pub const LAYER_NAME: &str = "android-keystore-aes-gcm-v1";
const IV_LEN: usize = 12;
const PURPOSE_ENCRYPT_DECRYPT: i32 = 1 | 2;
const ENCRYPT_MODE: i32 = 1;
const DECRYPT_MODE: i32 = 2;
const TAG_BITS: i32 = 128;

/// The Android Keystore key as a [`KeyProtector`].
#[derive(Debug, Default, Clone, Copy)]
pub struct AndroidKeystore;

fn failed(what: &str, error: jni::errors::Error) -> KeyError {
    KeyError::Malformed(format!("Android Keystore: {what} failed ({error})"))
}

impl AndroidKeystore {
    fn with_env<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Env) -> jni::errors::Result<T>,
    ) -> Result<T, KeyError> {
        let vm = JavaVM::singleton().map_err(|e| failed("finding the Java VM", e))?;
        vm.attach_current_thread(|env| f(env))
            .map_err(|e| failed(what, e))
    }
}

/// The keystore key, created (StrongBox first, then without) if absent.
fn key<'local>(env: &mut Env<'local>) -> jni::errors::Result<JObject<'local>> {
    let store_type = env.new_string("AndroidKeyStore")?;
    let store = env
        .call_static_method(
            jni_str!("java/security/KeyStore"),
            jni_str!("getInstance"),
            jni_sig!("(Ljava/lang/String;)Ljava/security/KeyStore;"),
            &[JValue::Object(&store_type)],
        )?
        .l()?;
    env.call_method(
        &store,
        jni_str!("load"),
        jni_sig!("(Ljava/security/KeyStore$LoadStoreParameter;)V"),
        &[JValue::Object(&JObject::null())],
    )?;
    let alias = env.new_string(KEY_ALIAS)?;
    let existing = env
        .call_method(
            &store,
            jni_str!("getKey"),
            jni_sig!("(Ljava/lang/String;[C)Ljava/security/Key;"),
            &[JValue::Object(&alias), JValue::Object(&JObject::null())],
        )?
        .l()?;
    if !existing.is_null() {
        return Ok(existing);
    }
    match generate(env, &alias, true) {
        Ok(key) => Ok(key),
        // StrongBoxUnavailableException (or any refusal): the TEE instead.
        Err(_) => {
            env.exception_clear();
            generate(env, &alias, false)
        }
    }
}

fn generate<'local>(
    env: &mut Env<'local>,
    alias: &JObject<'local>,
    strongbox: bool,
) -> jni::errors::Result<JObject<'local>> {
    let builder = env.new_object(
        jni_str!("android/security/keystore/KeyGenParameterSpec$Builder"),
        jni_sig!("(Ljava/lang/String;I)V"),
        &[JValue::Object(alias), JValue::Int(PURPOSE_ENCRYPT_DECRYPT)],
    )?;
    let string_array =
        |env: &mut Env<'local>, value: &str| -> jni::errors::Result<JObject<'local>> {
            let text = env.new_string(value)?;
            let array = env.new_object_array(1, jni_str!("java/lang/String"), &text)?;
            Ok(array.into())
        };
    let modes = string_array(env, "GCM")?;
    env.call_method(
        &builder,
        jni_str!("setBlockModes"),
        jni_sig!("([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
        &[JValue::Object(&modes)],
    )?;
    let paddings = string_array(env, "NoPadding")?;
    env.call_method(
        &builder,
        jni_str!("setEncryptionPaddings"),
        jni_sig!("([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
        &[JValue::Object(&paddings)],
    )?;
    env.call_method(
        &builder,
        jni_str!("setKeySize"),
        jni_sig!("(I)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
        &[JValue::Int(256)],
    )?;
    if strongbox {
        env.call_method(
            &builder,
            jni_str!("setIsStrongBoxBacked"),
            jni_sig!("(Z)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
            &[JValue::Bool(true)],
        )?;
    }
    let spec = env
        .call_method(
            &builder,
            jni_str!("build"),
            jni_sig!("()Landroid/security/keystore/KeyGenParameterSpec;"),
            &[],
        )?
        .l()?;
    let algorithm = env.new_string("AES")?;
    let provider = env.new_string("AndroidKeyStore")?;
    let generator = env
        .call_static_method(
            jni_str!("javax/crypto/KeyGenerator"),
            jni_str!("getInstance"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;)Ljavax/crypto/KeyGenerator;"),
            &[JValue::Object(&algorithm), JValue::Object(&provider)],
        )?
        .l()?;
    env.call_method(
        &generator,
        jni_str!("init"),
        jni_sig!("(Ljava/security/spec/AlgorithmParameterSpec;)V"),
        &[JValue::Object(&spec)],
    )?;
    env.call_method(
        &generator,
        jni_str!("generateKey"),
        jni_sig!("()Ljavax/crypto/SecretKey;"),
        &[],
    )?
    .l()
}

fn cipher<'local>(env: &mut Env<'local>) -> jni::errors::Result<JObject<'local>> {
    let transformation = env.new_string("AES/GCM/NoPadding")?;
    env.call_static_method(
        jni_str!("javax/crypto/Cipher"),
        jni_str!("getInstance"),
        jni_sig!("(Ljava/lang/String;)Ljavax/crypto/Cipher;"),
        &[JValue::Object(&transformation)],
    )?
    .l()
}

fn bytes_of(env: &mut Env<'_>, object: JObject<'_>) -> jni::errors::Result<Vec<u8>> {
    let array = env.cast_local::<JByteArray>(object)?;
    env.convert_byte_array(&array)
}

fn do_final(env: &mut Env<'_>, cipher: &JObject<'_>, data: &[u8]) -> jni::errors::Result<Vec<u8>> {
    let input = env.byte_array_from_slice(data)?;
    let output = env
        .call_method(
            cipher,
            jni_str!("doFinal"),
            jni_sig!("([B)[B"),
            &[JValue::Object(&input)],
        )?
        .l()?;
    bytes_of(env, output)
}

impl KeyProtector for AndroidKeystore {
    fn layer_name(&self) -> Option<&str> {
        Some(LAYER_NAME)
    }

    fn protect(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.with_env("encrypting the PIN wrap", |env| {
            let key = key(env)?;
            let cipher = cipher(env)?;
            env.call_method(
                &cipher,
                jni_str!("init"),
                jni_sig!("(ILjava/security/Key;)V"),
                &[JValue::Int(ENCRYPT_MODE), JValue::Object(&key)],
            )?;
            let iv = env
                .call_method(&cipher, jni_str!("getIV"), jni_sig!("()[B"), &[])?
                .l()?;
            let mut out = bytes_of(env, iv)?;
            out.extend(do_final(env, &cipher, data)?);
            Ok(out)
        })
    }

    fn unprotect(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if data.len() < IV_LEN {
            return Err(KeyError::Malformed(
                "Android Keystore: the PIN wrap is too short".into(),
            ));
        }
        let (iv, sealed) = data.split_at(IV_LEN);
        self.with_env("decrypting the PIN wrap", |env| {
            let key = key(env)?;
            let cipher = cipher(env)?;
            let iv = env.byte_array_from_slice(iv)?;
            let spec = env.new_object(
                jni_str!("javax/crypto/spec/GCMParameterSpec"),
                jni_sig!("(I[B)V"),
                &[JValue::Int(TAG_BITS), JValue::Object(&iv)],
            )?;
            env.call_method(
                &cipher,
                jni_str!("init"),
                jni_sig!("(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V"),
                &[
                    JValue::Int(DECRYPT_MODE),
                    JValue::Object(&key),
                    JValue::Object(&spec),
                ],
            )?;
            do_final(env, &cipher, sealed).map(Zeroizing::new)
        })
    }
}
