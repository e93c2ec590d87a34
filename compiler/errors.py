"""Compiler errors: one base exception for the package."""


class CompilerError(Exception):
    """Base class of every error the compiler raises."""


class UnknownActionError(CompilerError):
    pass


class InvalidParamsError(CompilerError):
    pass


class InvalidPlanError(CompilerError):
    pass
