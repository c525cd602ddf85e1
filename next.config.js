// @ts-check

/**
 * Static security headers. The Content-Security-Policy is per request (it
 * carries a nonce), so it is set in proxy.ts rather than here.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded by Node at run time, not bundled: bundled, PGlite cannot find its wasm (it locates it from its own
  // module URL; start-up fails with "...Received an instance of URL") and the build would copy its ~15 MB of
  // wasm into the public static files.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  experimental: {
    // The largest legitimate body is an EncryptedKeyMaterial.bin upload (6 KB) in its form: see
    // lib/auth/body-limits.ts, which holds the same value. The proxy copies each body into memory up to
    // proxyClientMaxBodySize (10 MB by default), so it is capped alike.
    serverActions: { bodySizeLimit: "64kb" },
    proxyClientMaxBodySize: "64kb",
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
          {
            key: "Permissions-Policy",
            value:
              "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), " +
              "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), " +
              "publickey-credentials-get=(), usb=()",
          },
          { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
