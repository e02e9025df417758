import { Notice } from './card';

/** The page of an area that the dashboard does not show yet. */
export function ComingArea({ title, what }: { title: string; what: string }) {
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">{title}</h1>
      <Notice tone="info">{what} are not shown in this version of Strata yet.</Notice>
    </>
  );
}
