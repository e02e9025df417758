import { Notice } from './card';

/** What a page shows when the database cannot be read; the detail stays in the server log. */
export function DbError({ what }: { what: string }) {
  return (
    <Notice tone="error">
      <p className="font-semibold">Could not read {what} from the database.</p>
      <p className="mt-1">
        Check that the database is running and that DATABASE_URL is right, then reload. The server log has the cause.
      </p>
    </Notice>
  );
}
