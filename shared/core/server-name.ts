/** The `{node}` placeholder of `tls.serverName`. */
export const NODE_PLACEHOLDER = '{node}';

/**
 * The name to verify in a node's certificate: the template with `{node}` replaced by the node id
 * (pods are reached by IP, but their certificates name `<pod>.<service>`), or the fixed name.
 */
export function serverNameFor(template: string, nodeId: string | undefined): string {
  if (!template.includes(NODE_PLACEHOLDER)) return template;
  // An unknown node gets the template itself, which no certificate names: verification fails closed.
  return nodeId === undefined ? template : template.split(NODE_PLACEHOLDER).join(nodeId);
}
