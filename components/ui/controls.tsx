// Form controls and buttons with one look across the dashboard.
import type { ButtonHTMLAttributes, ReactNode } from 'react';

export const INPUT =
  'mt-1 block w-full rounded border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';
/** A field whose value was refused: the same look with a red border. */
export const INPUT_INVALID = INPUT.replace('border-slate-300', 'border-red-600').replace('dark:border-slate-700', 'dark:border-red-400');

type Tone = 'primary' | 'secondary' | 'danger';
const TONES: Record<Tone, string> = {
  primary: 'bg-slate-900 text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300',
  secondary: 'border border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800',
  danger: 'bg-red-700 text-white hover:bg-red-800',
};

export function Button({ tone = 'secondary', className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { tone?: Tone }) {
  return (
    <button
      type="button"
      {...props}
      className={`rounded px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-50 ${TONES[tone]} ${className}`}
    />
  );
}

export function ErrorText({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="text-sm text-red-700 dark:text-red-300">
      {children}
    </p>
  );
}

export function Forbidden({ what }: { what: string }) {
  return (
    <div role="status" className="rounded border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
      Only admins can {what}. Ask an admin if you need this.
    </div>
  );
}
