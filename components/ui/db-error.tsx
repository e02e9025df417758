import { Notice } from './card';

/**
 * What a page shows when the database cannot be read (the detail stays in the server log), or,
 * with `busy`, when a run or a job holds the embedded database's only connection.
 */
export function DbError({ what, busy }: { what: string; busy?: string | null }) {
  if (busy) {
    return (
      <Notice tone="info">
        <p className="font-semibold">{busy}</p>
        <p className="mt-1">Reload to see {what} once it has finished.</p>
      </Notice>
    );
  }
  return (
    <Notice tone="error">
      <p className="font-semibold">Could not read {what} from the database.</p>
      <p className="mt-1">
        Check that the database is running and that DATABASE_URL is right, then reload. The server log has the cause.
      </p>
    </Notice>
  );
}
