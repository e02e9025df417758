import { ROLES } from '@/lib/schemas/auth-plain';

/** The three roles as <option>s, for every role picker. */
export function RoleOptions() {
  return ROLES.map((r) => (
    <option key={r} value={r}>
      {r}
    </option>
  ));
}
