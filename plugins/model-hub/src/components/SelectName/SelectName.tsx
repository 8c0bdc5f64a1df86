/*
 * Naming a Material UI select so that its accessible name is "<name> <the
 * value shown>": an aria-label alone hides the visible value from the name,
 * which WCAG 2.5.3 (label in name) forbids and axe reports as serious.
 */

/**
 * `SelectDisplayProps` naming the select with {@link SelectName} of the same
 * `id` followed by the value it shows.
 */
export function selectNameProps(id: string): Record<string, string> {
  return { id: `${id}-value`, 'aria-labelledby': `${id}-name ${id}-value` };
}

/** The (visually hidden) name of a select named with {@link selectNameProps}. */
export function SelectName(props: { id: string; children: string }) {
  return (
    <span id={`${props.id}-name`} hidden>
      {props.children}
    </span>
  );
}
