import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium (npx playwright install cannot download here), headless,
// against the debug server on its own port with a fresh demo database.
const PORT = 3100;
const chromium = {
  executablePath: '/usr/bin/chromium',
  // A story with several people opens a page per person; the one not in
  // front must not have its timers or renderer throttled (an owner's page
  // once never hydrated after a contractor's page was opened beside it).
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
  ],
};

export default defineConfig({
  testDir: './tests',
  // One server and one database: tests that lock accounts or create units
  // pick per-project data, and run one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    launchOptions: chromium,
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions: chromium }, testIgnore: /nojs/ },
    { name: 'phone', use: { ...devices['Pixel 7'], viewport: { width: 360, height: 740 }, launchOptions: chromium }, testIgnore: /nojs/ },
    { name: 'no-js', use: { ...devices['Desktop Chrome'], javaScriptEnabled: false, launchOptions: chromium }, testMatch: /nojs/ },
  ],
  webServer: {
    command: 'rm -rf target/e2e-data && target/debug/server serve --demo',
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { DATA_DIR: 'target/e2e-data', LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`, RUST_LOG: 'warn' },
  },
});
