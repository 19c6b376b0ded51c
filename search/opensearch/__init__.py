"""An OpenSearch cluster as haberara's index: the same reindex, search and page, with the
articles held and scored by a cluster that keeps replicas of every shard.

haberara's query side stays haberara's (:mod:`search.searching.query`,
:mod:`search.searching.querybuild`): queries are parsed and expanded against the words the
cluster holds, then sent as OpenSearch queries; snippets are marked by
:mod:`search.searching.highlight`.
"""
