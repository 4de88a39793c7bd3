"""blocking"""
