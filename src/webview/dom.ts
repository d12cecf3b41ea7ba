import type { Codicon } from './codicons';

/**
 * The only way this bundle builds DOM: elements with text content and attributes set one by one.
 * There is deliberately no helper that takes HTML, so data can never become markup.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string; attrs?: Record<string, string> } = {},
  children: (Node | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  if (props.attrs) for (const [name, value] of Object.entries(props.attrs)) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** One of VS Code's icons; only those listed in codicons.ts are shipped. */
export function icon(name: Codicon): HTMLElement {
  return el('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

/** A toolbar button with an icon and a visible or hidden label. */
export function button(
  label: string,
  iconName: Codicon | undefined,
  onClick: (event: MouseEvent) => void,
  showLabel = true,
): HTMLButtonElement {
  const node = el('button', { className: 'btn', title: label, attrs: { type: 'button', 'aria-label': label } }, [
    iconName ? icon(iconName) : undefined,
    showLabel ? el('span', { text: label }) : undefined,
  ]);
  node.addEventListener('click', onClick);
  return node;
}

export { formatCount } from './l10n';
