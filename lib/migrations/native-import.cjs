// Node's own import(), loaded through Node's require so that neither a bundler nor a test
// runner's module sandbox rewrites it. Used to load ES-module migrations from disk.
module.exports = function nativeImport(specifier) {
  return import(specifier);
};
