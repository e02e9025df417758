// npm run bundle-budget -- [--budget 200]
// The JavaScript a browser downloads before each route's first paint, gzip-compressed, from the
// last `next build` (.next/diagnostics/route-bundle-stats.json lists each route's first-load
// chunks). Prints every route, heaviest first, and exits 1 when one is over the budget.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const HELP = `Usage: npm run bundle-budget -- [--budget KB] [--stats FILE]

Prints each route's first-load JavaScript (gzip) from the last \`next build\` and exits 1 when a
route is over the budget.
  --budget KB   the most a route may load, in kB of 1,024 bytes (default 200)
  --stats FILE  the build's route statistics (default .next/diagnostics/route-bundle-stats.json)
  --help        this text`;

type RouteStats = { route: string; firstLoadUncompressedJsBytes: number; firstLoadChunkPaths: string[] };

function main(): number {
  const { values } = parseArgs({
    options: {
      budget: { type: 'string', default: '200' },
      stats: { type: 'string', default: '.next/diagnostics/route-bundle-stats.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const budgetKb = Number(values.budget);
  if (!Number.isFinite(budgetKb) || budgetKb <= 0) {
    console.error(`--budget takes a number of kB\n\n${HELP}`);
    return 2;
  }
  if (!fs.existsSync(values.stats)) {
    console.error(`${values.stats} is missing: run \`npm run build\` first.`);
    return 2;
  }
  const routes = JSON.parse(fs.readFileSync(values.stats, 'utf8')) as RouteStats[];
  const missing = routes.flatMap((r) => r.firstLoadChunkPaths).find((f) => !fs.existsSync(f));
  if (missing) {
    console.error(`${values.stats} names ${missing}, which is not there (a build in progress, or an old file): run \`npm run build\` again.`);
    return 2;
  }
  const gzipped = new Map<string, number>();
  const gz = (file: string) => {
    let n = gzipped.get(file);
    if (n === undefined) {
      n = zlib.gzipSync(fs.readFileSync(file)).length;
      gzipped.set(file, n);
    }
    return n;
  };
  const kb = (bytes: number) => bytes / 1024;
  const rows = routes
    .map((r) => ({ route: r.route, bytes: r.firstLoadChunkPaths.reduce((a, f) => a + gz(f), 0), raw: r.firstLoadUncompressedJsBytes, chunks: r.firstLoadChunkPaths }))
    .sort((a, b) => b.bytes - a.bytes);
  // What every route loads (React, Next.js's runtime, the shared layout): the floor of any page.
  const shared = rows.length ? rows.map((r) => new Set(r.chunks)).reduce((a, b) => new Set([...a].filter((c) => b.has(c)))) : new Set<string>();
  const sharedBytes = [...shared].reduce((a, f) => a + gz(f), 0);

  const width = Math.max(5, ...rows.map((r) => r.route.length));
  console.log(`First-load JavaScript per route, gzip (budget ${budgetKb} kB):`);
  console.log(`${'route'.padEnd(width)}  ${'gzip'.padStart(9)}  ${'raw'.padStart(9)}  over shared`);
  const over: string[] = [];
  for (const r of rows) {
    const flag = kb(r.bytes) > budgetKb ? '  OVER BUDGET' : '';
    if (flag) over.push(r.route);
    console.log(`${r.route.padEnd(width)}  ${kb(r.bytes).toFixed(1).padStart(6)} kB  ${kb(r.raw).toFixed(0).padStart(6)} kB  +${kb(r.bytes - sharedBytes).toFixed(1)} kB${flag}`);
  }
  console.log(`Shared by every route: ${kb(sharedBytes).toFixed(1)} kB gzip in ${shared.size} chunks.`);
  if (over.length) {
    console.error(`${over.length} route(s) over the ${budgetKb} kB budget: ${over.join(', ')}. Load large libraries where they are used (next/dynamic), and import types, not modules, into client code.`);
    return 1;
  }
  return 0;
}

process.exit(main());
