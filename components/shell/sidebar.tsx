'use client';
// The dashboard's sidebar: a column beside the page from 768 px up; below that, a bar with a Menu
// button that opens the same navigation over the page (closed again by Escape, by the button, or
// by following a link).
import { usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export function Sidebar({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  // A followed link closes the menu (state adjusted during render, not in an effect).
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <aside className="border-b border-slate-200 md:sticky md:top-0 md:flex md:h-screen md:w-56 md:shrink-0 md:flex-col md:border-r md:border-b-0 md:p-4 dark:border-slate-800">
      <div className="flex items-center justify-between px-4 py-2 md:mb-6 md:px-3 md:py-0">
        <p className="text-lg font-bold tracking-tight">Strata</p>
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          className="rounded border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-100 md:hidden dark:border-slate-700 dark:hover:bg-slate-800"
        >
          {open ? 'Close menu' : 'Menu'}
        </button>
      </div>
      <div id={panelId} className={`${open ? 'flex' : 'hidden'} flex-col gap-4 px-4 pb-4 md:flex md:flex-1 md:px-0 md:pb-0`}>
        {children}
      </div>
    </aside>
  );
}
