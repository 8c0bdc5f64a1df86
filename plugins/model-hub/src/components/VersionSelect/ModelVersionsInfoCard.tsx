import { ReactNode } from 'react';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { useModelVersions } from './useModelVersions';

/**
 * An InfoCard over the current model's versions: progress while they load,
 * the error, an empty state when there are not `enough` of them, else the
 * children with the versions (newest first) and the default version.
 */
export function ModelVersionsInfoCard(props: {
  title: string;
  enough(versions: ModelVersion[]): boolean;
  empty: { title: string; description: string };
  children(data: {
    entityRef: string;
    versions: ModelVersion[];
    defaultVersion?: string;
  }): ReactNode;
}) {
  const { entityRef, value, loading, error } = useModelVersions();
  let content: ReactNode;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || !props.enough(value.versions)) {
    content = <EmptyState missing="data" {...props.empty} />;
  } else {
    content = props.children({ entityRef, ...value });
  }
  return <InfoCard title={props.title}>{content}</InfoCard>;
}
