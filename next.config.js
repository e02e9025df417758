// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time, never bundled: knex's optional drivers break the bundler, PGlite
  // loads its WebAssembly and extension files from its package folder, and migrations are
  // required from disk through sucrase; libpg-query loads its WebAssembly parser the same way.
  serverExternalPackages: [
    'knex',
    'pg',
    'pino',
    'sucrase',
    '@electric-sql/pglite',
    '@electric-sql/pglite-socket',
    '@electric-sql/pglite-pgvector',
    'libpg-query',
  ],
  poweredByHeader: false,
  // Next.js blocks its dev resources (and so the page's scripts) for any host but localhost unless
  // it is listed here; http://127.0.0.1:3000 is the other address people open on their own machine.
  allowedDevOrigins: ['127.0.0.1'],
  // The dev server's badge sits bottom-left by default, over the sidebar's Sign out button.
  devIndicators: { position: 'bottom-right' },
};

module.exports = nextConfig;
