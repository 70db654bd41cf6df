// Types of the parser peggy generates from search-filter.peggy (`npm run gen:search-filter`).

export type FilterOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterLiteral = string | number | boolean;

export interface CompareNode {
  readonly kind: 'compare';
  readonly path: readonly string[];
  readonly op: FilterOp;
  readonly literal: FilterLiteral;
  readonly at: number;
}

export interface AnyNode {
  readonly kind: 'any';
  readonly collection: readonly string[];
  readonly variable: string;
  readonly element: string;
  readonly op: FilterOp;
  readonly literal: FilterLiteral;
  readonly negate: boolean;
  readonly at: number;
}

export interface AndNode {
  readonly kind: 'and';
  readonly terms: readonly FilterNode[];
}

export interface OrNode {
  readonly kind: 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

export type FilterNode = CompareNode | AnyNode | AndNode | OrNode;

/** Throws peggy's SyntaxError (with `location`) or an Error with `filterOffset` from the grammar's own checks. */
export function parse(input: string): FilterNode;
