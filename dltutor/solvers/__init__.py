"""Problem solvers, one module per topic. Each registers its ``solve`` kinds in
:mod:`dltutor.solvers.registry`; a solver is a pure function returning a
:class:`dltutor.solution.Solution`."""
