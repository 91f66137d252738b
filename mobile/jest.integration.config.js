/**
 * Integration tests: the app's API layer (src/api, src/amocrm) on Node's global fetch against a
 * real `foryou-crm demo` server that the test starts itself. Run with `npm run test:integration`.
 */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
  transform: { '\\.[jt]sx?$': ['babel-jest', { presets: ['babel-preset-expo'] }] },
  testTimeout: 180000,
  // Kyiv time, as in the unit tests: date filters must mean the device's local day.
  globalSetup: '<rootDir>/tests/timezone.js',
};
