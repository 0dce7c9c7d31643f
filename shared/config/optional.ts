/** `{ [key]: value }` when defined, `{}` otherwise: exactOptionalPropertyTypes forbids `key: undefined`. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
