import { Notice } from './card';

/**
 * What every page shows when the database cannot be used: which database (host and name only),
 * what failed, and that the page recovers by itself.
 */
export function DatabaseBanner({ database, reason }: { database: string; reason: string }) {
  return (
    <Notice tone="error">
      <p className="font-semibold" data-testid="database-down">
        The database {database} cannot be used: {reason}.
      </p>
      <p className="mt-1">
        Strata checks it again on every page load and API call, so this page works again by itself once the database
        answers; reload then. The server log has the details.
      </p>
    </Notice>
  );
}
