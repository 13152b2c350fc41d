// UNVERIFIED: never compiled.
package org.census.tablet;

import android.Manifest;
import android.content.pm.PackageManager;
import android.location.Location;
import android.location.LocationListener;
import android.location.LocationManager;
import android.os.Bundle;

import androidx.annotation.NonNull;
import androidx.core.view.WindowCompat;

import com.google.androidgamesdk.GameActivity;

/**
 * The only activity: GameActivity loads libcensus_android.so (see the manifest's
 * android.app.lib_name) and calls its android_main. It also passes the device's location
 * fixes to the app (nativeOnLocation, in android/src/location.rs).
 */
public class MainActivity extends GameActivity implements LocationListener {
    private static final int LOCATION_REQUEST = 1;
    /** Ask for a fix every 5 s; the app keeps the latest and ignores ones over 2 min old. */
    private static final long LOCATION_INTERVAL_MS = 5_000;

    private static native void nativeOnLocation(
            double lat, double lon, float accuracy, boolean hasAccuracy, long timeMs);

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        // Keep the app's content out from under the status and navigation bars: egui 0.37 does
        // not read Android's window insets. With adjustResize the window also shrinks above
        // the soft keyboard, so the field being edited stays visible.
        WindowCompat.setDecorFitsSystemWindows(getWindow(), true);
        super.onCreate(savedInstanceState);
    }

    @Override
    protected void onResume() {
        super.onResume();
        if (checkSelfPermission(Manifest.permission.ACCESS_FINE_LOCATION)
                == PackageManager.PERMISSION_GRANTED) {
            startLocation();
        } else {
            requestPermissions(
                    new String[] {
                        Manifest.permission.ACCESS_FINE_LOCATION,
                        Manifest.permission.ACCESS_COARSE_LOCATION
                    },
                    LOCATION_REQUEST);
        }
    }

    @Override
    protected void onPause() {
        LocationManager manager = getSystemService(LocationManager.class);
        if (manager != null) {
            manager.removeUpdates(this);
        }
        super.onPause();
    }

    @Override
    public void onRequestPermissionsResult(
            int requestCode, @NonNull String[] permissions, @NonNull int[] results) {
        super.onRequestPermissionsResult(requestCode, permissions, results);
        if (requestCode == LOCATION_REQUEST
                && results.length > 0
                && results[0] == PackageManager.PERMISSION_GRANTED) {
            startLocation();
        }
        // Refused: GPS answers and building positions are typed by hand, as on the desktop.
    }

    private void startLocation() {
        LocationManager manager = getSystemService(LocationManager.class);
        if (manager == null) {
            return;
        }
        try {
            if (manager.isProviderEnabled(LocationManager.GPS_PROVIDER)) {
                manager.requestLocationUpdates(
                        LocationManager.GPS_PROVIDER, LOCATION_INTERVAL_MS, 0f, this);
            }
            if (manager.isProviderEnabled(LocationManager.NETWORK_PROVIDER)) {
                manager.requestLocationUpdates(
                        LocationManager.NETWORK_PROVIDER, LOCATION_INTERVAL_MS, 0f, this);
            }
        } catch (SecurityException refused) {
            // Permission withdrawn in the meantime: typed positions only.
        }
    }

    @Override
    public void onLocationChanged(@NonNull Location location) {
        nativeOnLocation(
                location.getLatitude(),
                location.getLongitude(),
                location.getAccuracy(),
                location.hasAccuracy(),
                location.getTime());
    }

    // Abstract before API 30 (minSdk is 28): implemented so that older Androids never call a
    // missing method.
    @Override
    public void onProviderEnabled(@NonNull String provider) {}

    @Override
    public void onProviderDisabled(@NonNull String provider) {}

    @Override
    @SuppressWarnings("deprecation")
    public void onStatusChanged(String provider, int status, Bundle extras) {}
}
