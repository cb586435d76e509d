from dalil.cli import run

run()
