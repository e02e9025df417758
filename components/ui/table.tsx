// The one table frame of the dashboard: a table wider than the page scrolls sideways inside its
// own frame (focusable, so a keyboard can scroll it too), never the whole page.
import type { ReactNode } from 'react';

export function Table({ label, children, className = '', testId }: { label: string; children: ReactNode; className?: string; testId?: string }) {
  return (
    // A named region: axe wants a scrollable area focusable, and a screen reader names it.
    // `relative` keeps the cells' visually hidden text (sr-only, absolutely placed) inside it;
    // `@container` lets a row's notes be as wide as the visible part (see RowNotes).
    <div role="region" aria-label={label} tabIndex={0} className={`@container relative overflow-x-auto ${className}`}>
      <table className="w-full text-left text-sm" data-testid={testId}>
        {children}
      </table>
    </div>
  );
}
