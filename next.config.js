// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time, never bundled: knex's optional drivers break the bundler, PGlite
  // loads its WebAssembly and extension files from its package folder, and migrations are
  // required from disk through sucrase.
  serverExternalPackages: [
    'knex',
    'pg',
    'pino',
    'sucrase',
    '@electric-sql/pglite',
    '@electric-sql/pglite-socket',
    '@electric-sql/pglite-pgvector',
  ],
  poweredByHeader: false,
};

module.exports = nextConfig;
