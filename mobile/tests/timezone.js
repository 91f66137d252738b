/**
 * Jest globalSetup for the unit and the integration tests: they run in Kyiv time (UTC+2/+3), so
 * a test of "a typed day means that local day" fails if the code used UTC days instead. Set
 * before the workers start, which inherit it (Node reads TZ when it is assigned).
 */
module.exports = async () => {
  process.env.TZ = 'Europe/Kyiv';
};
