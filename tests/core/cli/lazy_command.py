"""A command module that tests check is imported only when its command runs."""

import click


@click.command()
def lazy() -> None:
    click.echo("lazy command ran")
