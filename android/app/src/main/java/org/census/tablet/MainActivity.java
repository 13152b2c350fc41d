// UNVERIFIED: never compiled.
package org.census.tablet;

import android.os.Bundle;

import androidx.core.view.WindowCompat;

import com.google.androidgamesdk.GameActivity;

/**
 * The only activity: GameActivity loads libcensus_android.so (see the manifest's
 * android.app.lib_name) and calls its android_main.
 */
public class MainActivity extends GameActivity {
    @Override
    protected void onCreate(Bundle savedInstanceState) {
        // Keep the app's content out from under the status and navigation bars: egui 0.37 does
        // not read Android's window insets. With adjustResize the window also shrinks above
        // the soft keyboard, so the field being edited stays visible.
        WindowCompat.setDecorFitsSystemWindows(getWindow(), true);
        super.onCreate(savedInstanceState);
    }
}
