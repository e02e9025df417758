// The values of lib/schemas/vector-health.ts that pages use in the browser, without zod: a client
// component that imports the schema module carries zod whole (about 31 kB gzip), since its
// schemas are built when the module loads. vector-health.ts re-exports everything here.
export const RECALL_LIMITS = { queries: { min: 1, max: 200, default: 20 }, k: { min: 1, max: 100, default: 10 }, seconds: { min: 5, max: 600, default: 120 } };

export function qualified(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}
