'use client';
// The dashboard's pages read through a query cache of their target's own (components/query-client.ts).
import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTargetParam } from './ui/target-link';
import { getQueryClient } from './query-client';

export function TargetQueries({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={getQueryClient(useTargetParam())}>{children}</QueryClientProvider>;
}
